//! The widget's own words (field labels, buttons, states) in the six catalogue languages.
//! Problem messages are not here: they come from the rule set's catalogue, the same texts the
//! Worker's native answers carry.

use enlist_shared::{Field, Locale};

/// The interface's fixed texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Submit,
    Sending,
    Retry,
    Created,
    FixFields,
    NetworkError,
    Loading,
    NotConfigured,
    Choose,
    Strength,
    StrengthLevels,
    /// Why the form cannot be sent yet; `{n}` is the number of fields that need attention.
    NotReady,
}

pub fn text(text: Text, locale: Locale) -> &'static str {
    use Locale::*;
    use Text::*;
    match (text, locale) {
        (Submit, En) => "Create my account",
        (Submit, De) => "Konto anlegen",
        (Submit, Fr) => "Créer mon compte",
        (Submit, Es) => "Crear mi cuenta",
        (Submit, Pl) => "Załóż konto",
        (Submit, It) => "Crea il mio account",
        (Sending, En) => "Creating your account…",
        (Sending, De) => "Ihr Konto wird angelegt…",
        (Sending, Fr) => "Création de votre compte…",
        (Sending, Es) => "Creando tu cuenta…",
        (Sending, Pl) => "Zakładamy konto…",
        (Sending, It) => "Creazione dell’account…",
        (Retry, En) => "Try again",
        (Retry, De) => "Erneut versuchen",
        (Retry, Fr) => "Réessayer",
        (Retry, Es) => "Reintentar",
        (Retry, Pl) => "Spróbuj ponownie",
        (Retry, It) => "Riprova",
        (Created, En) => "You're registered: your account is ready. See you at the event!",
        (Created, De) => "Sie sind angemeldet: Ihr Konto ist bereit. Bis bald auf der Veranstaltung!",
        (Created, Fr) => "Vous êtes inscrit : votre compte est prêt. À bientôt à l’événement !",
        (Created, Es) => "Te has registrado: tu cuenta está lista. ¡Nos vemos en el evento!",
        (Created, Pl) => "Rejestracja zakończona: konto jest gotowe. Do zobaczenia na wydarzeniu!",
        (Created, It) => "Registrazione completata: il tuo account è pronto. Ci vediamo all’evento!",
        (FixFields, En) => "Please correct the highlighted fields.",
        (FixFields, De) => "Bitte korrigieren Sie die markierten Felder.",
        (FixFields, Fr) => "Veuillez corriger les champs signalés.",
        (FixFields, Es) => "Corrige los campos señalados.",
        (FixFields, Pl) => "Popraw zaznaczone pola.",
        (FixFields, It) => "Correggi i campi evidenziati.",
        (NetworkError, En) => "We could not reach the server. Your details are kept: try again.",
        (NetworkError, De) => {
            "Der Server war nicht erreichbar. Ihre Angaben bleiben erhalten: Versuchen Sie es erneut."
        }
        (NetworkError, Fr) => "Le serveur est injoignable. Vos informations sont conservées : réessayez.",
        (NetworkError, Es) => "No pudimos contactar con el servidor. Tus datos se conservan: vuelve a intentarlo.",
        (NetworkError, Pl) => "Nie udało się połączyć z serwerem. Dane zostały zachowane: spróbuj ponownie.",
        (NetworkError, It) => "Impossibile raggiungere il server. I tuoi dati sono conservati: riprova.",
        (Loading, En) => "Loading the registration form…",
        (Loading, De) => "Anmeldeformular wird geladen…",
        (Loading, Fr) => "Chargement du formulaire d’inscription…",
        (Loading, Es) => "Cargando el formulario de registro…",
        (Loading, Pl) => "Ładowanie formularza rejestracji…",
        (Loading, It) => "Caricamento del modulo di registrazione…",
        (NotConfigured, En) => "This registration form is not available right now.",
        (NotConfigured, De) => "Dieses Anmeldeformular ist gerade nicht verfügbar.",
        (NotConfigured, Fr) => "Ce formulaire d’inscription n’est pas disponible pour le moment.",
        (NotConfigured, Es) => "Este formulario de registro no está disponible ahora.",
        (NotConfigured, Pl) => "Ten formularz rejestracji jest teraz niedostępny.",
        (NotConfigured, It) => "Questo modulo di registrazione non è disponibile al momento.",
        (Choose, En) => "Choose…",
        (Choose, De) => "Bitte wählen…",
        (Choose, Fr) => "Choisir…",
        (Choose, Es) => "Elegir…",
        (Choose, Pl) => "Wybierz…",
        (Choose, It) => "Scegli…",
        (Strength, En) => "Password strength",
        (Strength, De) => "Passwortstärke",
        (Strength, Fr) => "Solidité du mot de passe",
        (Strength, Es) => "Seguridad de la contraseña",
        (Strength, Pl) => "Siła hasła",
        (Strength, It) => "Sicurezza della password",
        (NotReady, En) => "{n} field(s) still need attention before you can register.",
        (NotReady, De) => "{n} Feld(er) brauchen noch Ihre Aufmerksamkeit, bevor Sie sich anmelden können.",
        (NotReady, Fr) => "{n} champ(s) demandent encore votre attention avant l’inscription.",
        (NotReady, Es) => "{n} campo(s) necesitan atención antes de poder registrarte.",
        (NotReady, Pl) => "Pola wymagające uwagi przed rejestracją: {n}.",
        (NotReady, It) => "{n} campo/i richiedono ancora attenzione prima della registrazione.",
        (StrengthLevels, En) => "very weak|weak|fair|good|strong",
        (StrengthLevels, De) => "sehr schwach|schwach|mittel|gut|stark",
        (StrengthLevels, Fr) => "très faible|faible|moyen|bon|fort",
        (StrengthLevels, Es) => "muy débil|débil|aceptable|buena|fuerte",
        (StrengthLevels, Pl) => "bardzo słabe|słabe|średnie|dobre|silne",
        (StrengthLevels, It) => "molto debole|debole|discreta|buona|forte",
    }
}

/// The name of a strength score 0-4.
pub fn strength_name(score: u8, locale: Locale) -> &'static str {
    text(Text::StrengthLevels, locale).split('|').nth(usize::from(score.min(4))).unwrap_or("")
}

pub fn label(field: Field, locale: Locale) -> &'static str {
    use Field::*;
    let [en, de, fr, es, pl, it] = match field {
        Alias => {
            ["User name", "Benutzername", "Nom d’utilisateur", "Nombre de usuario", "Nazwa użytkownika", "Nome utente"]
        }
        Prefix => [
            "Title (Dr, Prof…)",
            "Anrede (Dr., Prof. …)",
            "Civilité (Dr, Pr…)",
            "Tratamiento (Dr., Prof.…)",
            "Tytuł (dr, prof.…)",
            "Titolo (Dott., Prof.…)",
        ],
        FirstName => ["First name", "Vorname", "Prénom", "Nombre", "Imię", "Nome"],
        MiddleName => {
            ["Middle name", "Zweiter Vorname", "Deuxième prénom", "Segundo nombre", "Drugie imię", "Secondo nome"]
        }
        LastName => ["Last name", "Nachname", "Nom", "Apellidos", "Nazwisko", "Cognome"],
        Email => ["E-mail", "E-Mail", "E-mail", "Correo electrónico", "E-mail", "E-mail"],
        Password => ["Password", "Passwort", "Mot de passe", "Contraseña", "Hasło", "Password"],
        Organization => {
            ["Organisation", "Organisation", "Organisation", "Organización", "Organizacja", "Organizzazione"]
        }
        Title => ["Job title", "Position", "Fonction", "Cargo", "Stanowisko", "Ruolo"],
        Department => ["Department", "Abteilung", "Service", "Departamento", "Dział", "Reparto"],
        Specialty => ["Specialty", "Fachgebiet", "Spécialité", "Especialidad", "Specjalizacja", "Specialità"],
        Region => ["Region", "Region", "Région", "Región", "Region", "Regione"],
        Address => ["Street address", "Straße und Hausnummer", "Adresse", "Dirección", "Adres", "Indirizzo"],
        City => ["City", "Ort", "Ville", "Ciudad", "Miasto", "Città"],
        PostalCode => ["Postal code", "Postleitzahl", "Code postal", "Código postal", "Kod pocztowy", "CAP"],
        Country => ["Country", "Land", "Pays", "País", "Kraj", "Paese"],
        CountryName => {
            ["Country name", "Ländername", "Nom du pays", "Nombre del país", "Nazwa kraju", "Nome del paese"]
        }
        State => ["State", "Bundesstaat", "État", "Estado", "Stan", "Stato"],
        TimeZone => ["Time zone", "Zeitzone", "Fuseau horaire", "Zona horaria", "Strefa czasowa", "Fuso orario"],
        Lang => [
            "Preferred language",
            "Bevorzugte Sprache",
            "Langue préférée",
            "Idioma preferido",
            "Preferowany język",
            "Lingua preferita",
        ],
        Phone => {
            ["Mobile phone", "Mobiltelefon", "Téléphone mobile", "Teléfono móvil", "Telefon komórkowy", "Cellulare"]
        }
        WorkPhone => [
            "Work phone",
            "Telefon (Arbeit)",
            "Téléphone professionnel",
            "Teléfono del trabajo",
            "Telefon służbowy",
            "Telefono di lavoro",
        ],
        WorkFax => {
            ["Work fax", "Fax (Arbeit)", "Fax professionnel", "Fax del trabajo", "Faks służbowy", "Fax di lavoro"]
        }
        WorkEmail => [
            "Work e-mail",
            "E-Mail (Arbeit)",
            "E-mail professionnel",
            "Correo del trabajo",
            "E-mail służbowy",
            "E-mail di lavoro",
        ],
        Website => ["Website", "Website", "Site web", "Sitio web", "Strona internetowa", "Sito web"],
        Eula => [
            "I accept the terms of registration",
            "Ich akzeptiere die Anmeldebedingungen",
            "J’accepte les conditions d’inscription",
            "Acepto las condiciones de registro",
            "Akceptuję warunki rejestracji",
            "Accetto le condizioni di registrazione",
        ],
        Request => ["", "", "", "", "", ""],
    };
    match locale {
        Locale::En => en,
        Locale::De => de,
        Locale::Fr => fr,
        Locale::Es => es,
        Locale::Pl => pl,
        Locale::It => it,
    }
}

/// A language's own name, for the language select.
pub fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "English",
        Locale::De => "Deutsch",
        Locale::Fr => "Français",
        Locale::Es => "Español",
        Locale::Pl => "Polski",
        Locale::It => "Italiano",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_field_is_labelled_in_every_language() {
        for field in Field::ALL.iter().filter(|f| **f != Field::Request) {
            for locale in Locale::ALL {
                assert!(!label(*field, locale).is_empty(), "{field} has no {} label", locale.tag());
            }
        }
        for locale in Locale::ALL {
            assert!(text(Text::NotReady, locale).contains("{n}"));
            assert_eq!(text(Text::StrengthLevels, locale).split('|').count(), 5);
            assert!(!strength_name(4, locale).is_empty());
        }
    }
}
