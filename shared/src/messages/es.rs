use crate::Code;

pub fn text(code: Code) -> &'static str {
    match code {
        Code::Required => "Este campo es obligatorio.",
        Code::AliasTooShort => "Usa al menos {min} caracteres.",
        Code::AliasInvalid => {
            "Usa solo letras, dígitos, puntos, guiones y guiones bajos; algunos nombres están reservados."
        }
        Code::AliasNumeric => "Un nombre de usuario no puede tener solo dígitos.",
        Code::AliasTaken => "Este nombre de usuario ya está en uso.",
        Code::PasswordTooShort => "Usa al menos {min} caracteres.",
        Code::PasswordTooLong => "Usa como máximo {max} caracteres.",
        Code::PasswordTooWeak => {
            "Esta contraseña es demasiado fácil de adivinar: combina mayúsculas y minúsculas con dígitos o símbolos."
        }
        Code::EmailInvalid => "Introduce una dirección de correo válida, como nombre@example.com.",
        Code::EmailTaken => "Ya existe una cuenta con esta dirección de correo.",
        Code::CountryInvalid => "Elige un país de la lista.",
        Code::CountryMismatch => "El nombre del país no coincide con el código del país.",
        Code::StateRequired => "Elige un estado: es obligatorio para Estados Unidos.",
        Code::StateInvalid => "Elige un estado de EE. UU. de la lista.",
        Code::TimezoneInvalid => "Elige una zona horaria de la lista, como Europe/Warsaw.",
        Code::LangInvalid => "Elige un idioma, como en o pt-BR.",
        Code::PhoneInvalid => "Introduce el número en formato internacional, como +48 111 111 111.",
        Code::PhoneTaken => "Ya existe una cuenta con este número de teléfono.",
        Code::UrlInvalid => "Introduce una dirección web, como https://example.com.",
        Code::IpInvalid => "Introduce una dirección IPv4 como número entero.",
        Code::EnumInvalid => "Elige uno de los valores ofrecidos.",
        Code::DateInvalid => "Introduce una fecha válida, como 2026-05-12.",
        Code::TextTooLong => "Usa como máximo {max} caracteres.",
        Code::TextInvalid => "Elimina los saltos de línea y los caracteres de control.",
        Code::ExtRefTaken => "Esta referencia externa ya la usa otra cuenta.",
        Code::EulaRequired => "Acepta las condiciones para continuar.",
        Code::AuthRequired => "Inicia sesión o aporta credenciales para continuar.",
        Code::AuthInvalid => "Las credenciales no son válidas.",
        Code::AuthForbidden => "No tienes permiso para hacer esto.",
        Code::AddressForbidden => "No se permiten solicitudes desde esta dirección.",
        Code::IdentityInvalid => "Esta identidad no es válida o no es tuya.",
        Code::IdentityLocked => "Esta cuenta ya no se puede modificar de esta forma.",
        Code::TlsRequired => "Usa una conexión segura (HTTPS).",
        Code::RequestMalformed => "No se pudo leer la solicitud.",
        Code::RateLimited => "Demasiados intentos. Espera un minuto y vuelve a intentarlo.",
        Code::NotFound => "No hay nada en esta dirección.",
        Code::MethodNotAllowed => "Esta dirección no acepta este tipo de solicitud.",
        Code::Internal => "Algo salió mal por nuestra parte. Inténtalo de nuevo.",
    }
}
