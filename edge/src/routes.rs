//! The route table, as plain data so it is tested natively: the one place a route meets its
//! dialect.

use crate::dialects::Dialect;
pub use crate::dialects::VendorRoute;

/// What a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/accounts`: native signup.
    CreateAccount,
    /// `GET /v1/policy?campaign=ID`: a campaign's policy, for the widget.
    Policy,
    /// `OPTIONS` on a native route: CORS pre-flight.
    Preflight,
    /// `GET /healthz`: liveness, for `cargo xtask dev` and the tests.
    Health,
    /// Anything under `/admin/`; the admin module routes within.
    Admin,
    /// A vendor dialect's signup or profile route.
    Vendor(VendorRoute),
    /// `POST /poken/oauth2/token`: the one-time code exchange.
    PokenToken,
    /// `GET /v1/verify?token=T`: the link of a verification e-mail; answers a page.
    Verify,
    /// A known path with the wrong method; `allow` is the `Allow` header's value, `form` what
    /// the path's answers are written in (so is the refusal).
    MethodNotAllowed {
        allow: &'static str,
        form: Form,
    },
    NotFound,
}

const TABLE: &[(&str, &str, Route)] = &[
    ("POST", "/v1/accounts", Route::CreateAccount),
    ("OPTIONS", "/v1/accounts", Route::Preflight),
    ("GET", "/v1/policy", Route::Policy),
    ("OPTIONS", "/v1/policy", Route::Preflight),
    ("GET", "/healthz", Route::Health),
    ("POST", "/poken/oauth2/token", Route::PokenToken),
    ("GET", "/v1/verify", Route::Verify),
];

/// What a route's refusals are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A dialect's own wire form.
    Dialect(Dialect),
    /// RFC 6749 §5.2 JSON: the OAuth2 token endpoint.
    OAuth,
    /// A native problem document (the health route).
    Plain,
}

/// Every (method, path) the table routes, with its route (admin routes aside: `/admin/` and
/// below is the admin module's).
/// The vendor dialects' routes are each dialect's own (`UseCases::ROUTES`).
pub fn table() -> impl Iterator<Item = (&'static str, &'static str, Route)> {
    TABLE.iter().copied().chain(VendorRoute::table().map(|(method, path, route)| (method, path, Route::Vendor(route))))
}

impl Route {
    /// What the route's refusals (an unknown dialect name, plain HTTP, a wrong method) are
    /// written in.
    pub fn form(self) -> Form {
        match (self, self.dialect()) {
            (Route::PokenToken, _) => Form::OAuth,
            (_, Some(dialect)) => Form::Dialect(dialect),
            (_, None) => Form::Plain,
        }
    }

    /// The dialect a route reads and, unless asked otherwise, answers in.
    pub fn dialect(self) -> Option<Dialect> {
        match self {
            Route::CreateAccount | Route::Policy | Route::Preflight | Route::Admin => Some(Dialect::Native),
            Route::Vendor(route) => Some(route.dialect()),
            Route::PokenToken => Some(Dialect::Poken),
            Route::Health | Route::Verify | Route::MethodNotAllowed { .. } | Route::NotFound => None,
        }
    }

    /// Whether the route's answers are signup outcomes, which every dialect can write. The
    /// policy, pre-flight, token and admin routes answer in their own forms only.
    pub fn answers_in_any_dialect(self) -> bool {
        matches!(self, Route::CreateAccount | Route::Vendor(_))
    }

    /// Whether the route carries credentials or personal data, and so refuses plain HTTP.
    pub fn needs_tls(self) -> bool {
        // A verification link's token is a secret too.
        self.dialect().is_some() || self == Route::Verify
    }

    pub fn resolve(method: &str, path: &str) -> Route {
        if path.starts_with("/admin/") {
            return Route::Admin;
        }
        let mut allowed = None;
        for (route_method, route_path, route) in table() {
            if route_path == path {
                if route_method.eq_ignore_ascii_case(method) {
                    return route;
                }
                if route_method != "OPTIONS" {
                    allowed = Some(Route::MethodNotAllowed { allow: route_method, form: route.form() });
                }
            }
        }
        allowed.unwrap_or(Route::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_known_routes_methods_and_unknown_paths() {
        assert_eq!(Route::resolve("POST", "/v1/accounts"), Route::CreateAccount);
        assert_eq!(Route::resolve("OPTIONS", "/v1/accounts"), Route::Preflight);
        assert_eq!(Route::resolve("GET", "/v1/policy"), Route::Policy);
        assert_eq!(Route::resolve("GET", "/healthz"), Route::Health);
        assert_eq!(Route::resolve("POST", "/engagement/users"), Route::Vendor(VendorRoute::Engagement(())));
        assert_eq!(Route::resolve("DELETE", "/admin/accounts/x"), Route::Admin);
        assert_eq!(
            Route::resolve("GET", "/v1/accounts"),
            Route::MethodNotAllowed { allow: "POST", form: Form::Dialect(crate::dialects::Dialect::Native) }
        );
        assert_eq!(
            Route::resolve("PUT", "/getresponse"),
            Route::MethodNotAllowed { allow: "POST", form: Form::Dialect(crate::dialects::Dialect::GetResponse) }
        );
        assert_eq!(Route::resolve("POST", "/v1/accounts/"), Route::NotFound);
        assert_eq!(Route::resolve("GET", "/nope"), Route::NotFound);
        assert_eq!(
            Route::resolve("GET", "/poken/oauth2/token"),
            Route::MethodNotAllowed { allow: "POST", form: Form::OAuth }
        );
        assert_eq!(Route::resolve("POST", "/healthz"), Route::MethodNotAllowed { allow: "GET", form: Form::Plain });
        assert!(
            Route::Vendor(VendorRoute::MoveDigital(())).needs_tls()
                && Route::Admin.needs_tls()
                && !Route::Health.needs_tls()
        );
    }
}
