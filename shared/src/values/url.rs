use crate::Code;
use std::fmt;

/// A web address: `http` or `https`, a dotted host name (or IPv4 address), an optional port,
/// path, query and fragment, no white space, at most 2 048 characters. A bare host
/// (`example.com/blog`) is read as `https://`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WebUrl(String);

const MAX_LEN: usize = 2048;

impl WebUrl {
    pub fn parse(input: &str) -> Result<Self, Code> {
        let typed = input.trim();
        if typed.is_empty() {
            return Err(Code::Required);
        }
        if typed.len() > MAX_LEN || typed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Code::UrlInvalid);
        }
        let lower = typed.to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("https://") {
            ("https", &typed[8..])
        } else if lower.starts_with("http://") {
            ("http", &typed[7..])
        } else if typed.contains("://") {
            return Err(Code::UrlInvalid);
        } else {
            ("https", typed)
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(Code::UrlInvalid); // credentials in a profile URL are a phishing pattern
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if let Some(port) = port {
            if port.is_empty()
                || port.len() > 5
                || !port.bytes().all(|b| b.is_ascii_digit())
                || port.parse::<u32>().map_or(true, |p| p == 0 || p > 65535)
            {
                return Err(Code::UrlInvalid);
            }
        }
        // Judged in the form it is kept in: lower-casing can change a host (`İ` becomes `i` and
        // a combining dot), and what is kept must parse again as itself.
        let host = crate::lower::lowercase(host);
        if !is_host(&host) {
            return Err(Code::UrlInvalid);
        }
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        Ok(Self(format!("{scheme}://{host}{port}{tail}")))
    }
}

fn is_host(host: &str) -> bool {
    if host.len() > 253 {
        return false;
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return true;
    }
    // Letters may be any script (IDN hosts); a top-level domain is letters, or punycode.
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or_default();
    let real_tld = tld.chars().count() >= 2 && (tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--"));
    labels.len() >= 2
        && real_tld
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

impl AsRef<str> for WebUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_judged_as_it_is_kept() {
        // Found by `cargo xtask fuzz`: `İ` lower-cases to `i` + U+0307, which is not a letter.
        assert_eq!(WebUrl::parse("https://İab.cd"), Err(Code::UrlInvalid));
        let kept = WebUrl::parse("https://Żółw.PL/x").unwrap().to_string();
        assert_eq!(kept, "https://żółw.pl/x");
        assert_eq!(WebUrl::parse(&kept).unwrap().to_string(), kept);
    }

    #[test]
    fn web_addresses() {
        for (typed, out) in [
            ("https://example.com", "https://example.com"),
            ("HTTP://Example.COM/Path?q=1#top", "http://example.com/Path?q=1#top"),
            ("example.org/blog", "https://example.org/blog"),
            ("https://sub.example.co.uk:8443/x", "https://sub.example.co.uk:8443/x"),
            ("http://192.0.2.10/", "http://192.0.2.10/"),
            ("https://例子.广告", "https://例子.广告"),
            ("https://xn--fsqu00a.xn--3lr804guic", "https://xn--fsqu00a.xn--3lr804guic"),
        ] {
            assert_eq!(WebUrl::parse(typed).map(|u| u.to_string()), Ok(out.to_owned()), "{typed}");
        }
    }

    #[test]
    fn not_web_addresses() {
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com",
            "https://",
            "https://localhost",
            "https://exa mple.com",
            "https://-bad-.com",
            "https://example.com:99999",
            "https://user:pw@example.com",
            "https://example.c0m",
            "not a url",
            "https://example..com",
        ] {
            assert_eq!(WebUrl::parse(bad), Err(Code::UrlInvalid), "{bad}");
        }
    }
}
