use crate::Code;

pub fn text(code: Code) -> &'static str {
    match code {
        Code::Required => "Questo campo è obbligatorio.",
        Code::AliasTooShort => "Usa almeno {min} caratteri.",
        Code::AliasInvalid => "Usa solo lettere, cifre, punti, trattini e trattini bassi; alcuni nomi sono riservati.",
        Code::AliasNumeric => "Un nome utente non può contenere solo cifre.",
        Code::AliasTaken => "Questo nome utente è già in uso.",
        Code::PasswordTooShort => "Usa almeno {min} caratteri.",
        Code::PasswordTooLong => "Usa al massimo {max} caratteri.",
        Code::PasswordTooWeak => {
            "Questa password è troppo facile da indovinare: combina maiuscole e minuscole con cifre o simboli."
        }
        Code::EmailInvalid => "Inserisci un indirizzo e-mail valido, ad esempio nome@example.com.",
        Code::EmailTaken => "Esiste già un account con questo indirizzo e-mail.",
        Code::CountryInvalid => "Scegli un paese dall’elenco.",
        Code::CountryMismatch => "Il nome del paese non corrisponde al codice del paese.",
        Code::StateRequired => "Scegli uno stato: è obbligatorio per gli Stati Uniti.",
        Code::StateInvalid => "Scegli uno stato degli USA dall’elenco.",
        Code::TimezoneInvalid => "Scegli un fuso orario dall’elenco, ad esempio Europe/Warsaw.",
        Code::LangInvalid => "Scegli una lingua, ad esempio en o pt-BR.",
        Code::PhoneInvalid => "Inserisci il numero in formato internazionale, ad esempio +48 111 111 111.",
        Code::PhoneTaken => "Esiste già un account con questo numero di telefono.",
        Code::UrlInvalid => "Inserisci un indirizzo web, ad esempio https://example.com.",
        Code::IpInvalid => "Inserisci un indirizzo IPv4 come numero intero.",
        Code::EnumInvalid => "Scegli uno dei valori proposti.",
        Code::DateInvalid => "Inserisci una data valida, ad esempio 2026-05-12.",
        Code::TextTooLong => "Usa al massimo {max} caratteri.",
        Code::TextInvalid => "Rimuovi gli a capo e i caratteri di controllo.",
        Code::ExtRefTaken => "Questo riferimento esterno è già usato da un altro account.",
        Code::EulaRequired => "Accetta le condizioni per continuare.",
        Code::AuthRequired => "Accedi o fornisci le credenziali per continuare.",
        Code::AuthInvalid => "Le credenziali non sono valide.",
        Code::AuthForbidden => "Non hai il permesso di farlo.",
        Code::AddressForbidden => "Le richieste da questo indirizzo non sono consentite.",
        Code::IdentityInvalid => "Questa identità non è valida o non è tua.",
        Code::IdentityLocked => "Questo account non può più essere modificato in questo modo.",
        Code::TlsRequired => "Usa una connessione sicura (HTTPS).",
        Code::RequestMalformed => "Impossibile leggere la richiesta.",
        Code::RateLimited => "Troppi tentativi. Attendi un minuto e riprova.",
        Code::NotFound => "A questo indirizzo non c’è nulla.",
        Code::MethodNotAllowed => "Questo indirizzo non accetta questo tipo di richiesta.",
        Code::Internal => "Qualcosa è andato storto da parte nostra. Riprova.",
    }
}
