//! The e-mails the outbox sends (welcome, temporary password, verification) and the
//! verification pages, in the account's language, from one catalogue: `edge/mail/<tag>.txt`
//! (`key<TAB>text`, `\n` for a line break), English as the fallback. Messages are plain-text
//! RFC 5322, built by `mail-builder`.

use crate::campaign::Campaign;
use crate::store::Claimed;
use crate::store::MessageKind;
use enlist_shared::Locale;

/// Every key each language file must have.
pub const KEYS: [&str; 14] = [
    "welcome.subject",
    "welcome.body",
    "temporary_password.subject",
    "temporary_password.body",
    "verification.subject",
    "verification.body",
    "page.verified.title",
    "page.verified.text",
    "page.used.title",
    "page.used.text",
    "page.expired.title",
    "page.expired.text",
    "page.unknown.title",
    "page.unknown.text",
];

/// A language's catalogue file.
pub fn file(locale: Locale) -> &'static str {
    match locale {
        Locale::En => include_str!("../mail/en.txt"),
        Locale::De => include_str!("../mail/de.txt"),
        Locale::Fr => include_str!("../mail/fr.txt"),
        Locale::Es => include_str!("../mail/es.txt"),
        Locale::Pl => include_str!("../mail/pl.txt"),
        Locale::It => include_str!("../mail/it.txt"),
    }
}

fn lookup(locale: Locale, key: &str) -> Option<String> {
    file(locale)
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.split_once('\t').filter(|(k, _)| *k == key))
        .map(|(_, text)| text.replace("\\n", "\n"))
}

/// A catalogue text with its `{placeholders}` filled; English where the language lacks it.
pub fn text(locale: Locale, key: &str, values: &[(&str, &str)]) -> String {
    let template = lookup(locale, key).or_else(|| lookup(Locale::En, key)).unwrap_or_else(|| key.to_owned());
    values.iter().fold(template, |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// One e-mail, ready for the e-mail binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Derived from the outbox row, so a copy sent twice is recognisable as the same message.
    pub message_id: String,
    pub date_ms: i64,
    pub locale: Locale,
}

impl Mail {
    /// The message as RFC 5322 (UTF-8 subject as encoded words, the body quoted-printable).
    pub fn raw(&self) -> String {
        let address = address_of(&self.from);
        let name = self.from.split('<').next().unwrap_or_default().trim().trim_matches('"');
        let from = if name.is_empty() || name == address {
            mail_builder::headers::address::Address::new_address(None::<&str>, address)
        } else {
            mail_builder::headers::address::Address::new_address(Some(name), address)
        };
        mail_builder::MessageBuilder::new()
            .from(from)
            .to(self.to.as_str())
            .subject(self.subject.as_str())
            .message_id(self.message_id.as_str())
            .date(self.date_ms.div_euclid(1000))
            .header("Content-Language", mail_builder::headers::raw::Raw::new(self.locale.tag()))
            .text_body(self.body.as_str())
            .write_to_string()
            .unwrap_or_default()
    }
}

/// The envelope sender: the address inside `MAIL_FROM` (`enlist <noreply@example.com>`).
pub fn address_of(from: &str) -> &str {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => &from[open + 1..close],
        _ => from.trim(),
    }
}

/// The event's name as messages say it.
pub fn event_name(campaign: Option<&Campaign>) -> String {
    campaign.map_or_else(|| "enlist".to_owned(), |c| c.name.clone())
}

/// Who sends, and what a message needs besides its row.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sender<'a> {
    /// Derives temporary passwords and verification tokens (`OUTBOX_SECRET`).
    pub outbox_secret: Option<&'a str>,
    /// `MAIL_FROM`: an address on a domain set up for Cloudflare's e-mail sending.
    pub mail_from: &'a str,
    /// The Worker's public origin (`PUBLIC_URL`), for the verification link.
    pub public_url: &'a str,
}

/// Renders a claimed mail row; `Err`: it can never be sent (the reason for the dead letter).
pub fn render(claimed: &Claimed, campaign: Option<&Campaign>, delivery: &Sender<'_>) -> Result<Mail, String> {
    let account = &claimed.account;
    let to = account.email.clone().ok_or("the account has no e-mail address")?;
    let locale = account.locale;
    let event = event_name(campaign);
    let secret = || delivery.outbox_secret.filter(|s| !s.is_empty()).ok_or("OUTBOX_SECRET is not set");
    let (key, extra): (&str, Vec<(&str, String)>) = match claimed.kind {
        MessageKind::Welcome | MessageKind::WelcomeIfPresent => {
            ("welcome", vec![("number", account.number.to_string())])
        }
        MessageKind::TemporaryPassword => {
            ("temporary_password", vec![("password", crate::account::temporary_password(secret()?, &account.id))])
        }
        MessageKind::Verification => {
            let token = crate::secrets::verification_token(secret()?, &account.id);
            let link = format!("{}/v1/verify?token={token}", delivery.public_url.trim_end_matches('/'));
            ("verification", vec![("link", link)])
        }
        MessageKind::Webhook => return Err("a webhook delivery is not an e-mail".into()),
    };
    let mut values: Vec<(&str, &str)> = vec![("event", &event)];
    values.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
    let domain = address_of(delivery.mail_from).rsplit_once('@').map_or("enlist.invalid", |(_, d)| d);
    Ok(Mail {
        from: delivery.mail_from.to_owned(),
        to,
        subject: text(locale, &format!("{key}.subject"), &values),
        body: text(locale, &format!("{key}.body"), &values),
        message_id: format!("outbox-{}-{}@{domain}", claimed.job.db.to_ascii_lowercase(), claimed.job.id),
        date_ms: claimed.created_at_ms.max(claimed.job.send_at_ms),
        locale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name.to_owned()).collect()
    }

    #[test]
    fn every_language_has_every_text_with_the_english_placeholders() {
        for locale in Locale::ALL {
            for key in KEYS {
                let english = lookup(Locale::En, key).unwrap_or_else(|| panic!("en lacks {key}"));
                let own = lookup(locale, key).unwrap_or_else(|| panic!("{} lacks {key}", locale.tag()));
                assert_eq!(placeholders(&own), placeholders(&english), "{} {key}", locale.tag());
            }
            let keys = file(locale).lines().filter(|l| !l.starts_with('#') && !l.is_empty()).count();
            assert_eq!(keys, KEYS.len(), "{}: a key no code reads", locale.tag());
        }
    }

    #[test]
    fn a_message_is_rfc_5322_with_its_language() {
        let mail = Mail {
            from: "enlist <noreply@enlist.example>".into(),
            to: "zoë@example.com".into(),
            subject: text(Locale::De, "welcome.subject", &[("event", "Straßenfest")]),
            body: text(Locale::De, "welcome.body", &[("event", "Straßenfest"), ("number", "123")]),
            message_id: "outbox-db-1@enlist.example".into(),
            date_ms: 1_700_000_000_000,
            locale: Locale::De,
        };
        let raw = mail.raw();
        assert!(raw.contains("Message-ID: <outbox-db-1@enlist.example>"), "{raw}");
        assert!(raw.contains("Content-Language: de"), "{raw}");
        assert!(raw.contains("From: \"enlist\" <noreply@enlist.example>"), "{raw}");
        assert!(raw.contains("Subject: =?utf-8?"), "an encoded word for ß: {raw}");
        assert!(raw.contains("\r\n\r\n"), "{raw}");
        assert_eq!(address_of(&mail.from), "noreply@enlist.example");
        assert_eq!(address_of("a@b.example"), "a@b.example");
    }
}
