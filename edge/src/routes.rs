//! The route table, as plain data so it is tested natively; `lib.rs` only dispatches on it.

/// What a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /v1/accounts`: native signup.
    CreateAccount,
    /// `GET /healthz`: liveness, for `cargo xtask dev` and the tests.
    Health,
    /// A known path with the wrong method; `allow` is the `Allow` header's value.
    MethodNotAllowed {
        allow: &'static str,
    },
    NotFound,
}

const TABLE: &[(&str, &str, Route)] =
    &[("POST", "/v1/accounts", Route::CreateAccount), ("GET", "/healthz", Route::Health)];

impl Route {
    pub fn resolve(method: &str, path: &str) -> Route {
        let mut path_known = None;
        for (route_method, route_path, route) in TABLE {
            if *route_path == path {
                if route_method.eq_ignore_ascii_case(method) {
                    return *route;
                }
                path_known = Some(*route_method);
            }
        }
        match path_known {
            Some(allow) => Route::MethodNotAllowed { allow },
            None => Route::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_known_routes_methods_and_unknown_paths() {
        assert_eq!(Route::resolve("POST", "/v1/accounts"), Route::CreateAccount);
        assert_eq!(Route::resolve("GET", "/healthz"), Route::Health);
        assert_eq!(Route::resolve("GET", "/v1/accounts"), Route::MethodNotAllowed { allow: "POST" });
        assert_eq!(Route::resolve("POST", "/v1/accounts/"), Route::NotFound);
        assert_eq!(Route::resolve("GET", "/nope"), Route::NotFound);
    }
}
