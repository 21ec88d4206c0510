use crate::Code;

pub fn text(code: Code) -> &'static str {
    match code {
        Code::Required => "To pole jest wymagane.",
        Code::AliasTooShort => "Użyj co najmniej {min} znaków.",
        Code::AliasInvalid => {
            "Używaj tylko liter, cyfr, kropek, myślników i podkreśleń; niektóre nazwy są zastrzeżone."
        }
        Code::AliasNumeric => "Nazwa użytkownika nie może składać się wyłącznie z cyfr.",
        Code::AliasTaken => "Ta nazwa użytkownika jest już zajęta.",
        Code::PasswordTooShort => "Użyj co najmniej {min} znaków.",
        Code::PasswordTooLong => "Użyj najwyżej {max} znaków.",
        Code::PasswordTooWeak => {
            "To hasło jest zbyt łatwe do odgadnięcia: połącz wielkie i małe litery z cyframi lub symbolami."
        }
        Code::EmailInvalid => "Podaj prawidłowy adres e-mail, np. imie@example.com.",
        Code::EmailTaken => "Konto z tym adresem e-mail już istnieje.",
        Code::CountryInvalid => "Wybierz kraj z listy.",
        Code::CountryMismatch => "Nazwa kraju nie zgadza się z kodem kraju.",
        Code::StateRequired => "Wybierz stan: jest wymagany dla Stanów Zjednoczonych.",
        Code::StateInvalid => "Wybierz stan USA z listy.",
        Code::TimezoneInvalid => "Wybierz strefę czasową z listy, np. Europe/Warsaw.",
        Code::LangInvalid => "Wybierz język, np. en lub pt-BR.",
        Code::PhoneInvalid => "Podaj numer w formacie międzynarodowym, np. +48 111 111 111.",
        Code::PhoneTaken => "Konto z tym numerem telefonu już istnieje.",
        Code::UrlInvalid => "Podaj adres strony, np. https://example.com.",
        Code::IpInvalid => "Podaj adres IPv4 jako liczbę całkowitą.",
        Code::EnumInvalid => "Wybierz jedną z dostępnych wartości.",
        Code::DateInvalid => "Podaj prawidłową datę, np. 2026-05-12.",
        Code::TextTooLong => "Użyj najwyżej {max} znaków.",
        Code::TextInvalid => "Usuń znaki nowej linii i znaki sterujące.",
        Code::ExtRefTaken => "Ten identyfikator zewnętrzny jest już używany przez inne konto.",
        Code::EulaRequired => "Zaakceptuj warunki, aby kontynuować.",
        Code::AuthRequired => "Zaloguj się lub podaj dane uwierzytelniające, aby kontynuować.",
        Code::AuthInvalid => "Dane uwierzytelniające są nieprawidłowe.",
        Code::AuthForbidden => "Nie masz uprawnień do tej operacji.",
        Code::AddressForbidden => "Żądania z tego adresu są niedozwolone.",
        Code::IdentityInvalid => "Ta tożsamość jest nieprawidłowa lub nie należy do Ciebie.",
        Code::IdentityLocked => "Tego konta nie można już zmienić w ten sposób.",
        Code::TlsRequired => "Użyj bezpiecznego połączenia (HTTPS).",
        Code::RequestMalformed => "Nie udało się odczytać żądania.",
        Code::RateLimited => "Zbyt wiele prób. Odczekaj minutę i spróbuj ponownie.",
        Code::NotFound => "Pod tym adresem nic nie ma.",
        Code::MethodNotAllowed => "Ten adres nie przyjmuje tego rodzaju żądań.",
        Code::Internal => "Coś poszło nie tak po naszej stronie. Spróbuj ponownie.",
    }
}
