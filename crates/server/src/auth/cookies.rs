//! Reading the `Cookie` header and writing `Set-Cookie` values (RFC 6265).

use http::{HeaderMap, HeaderValue, header};

/// Returns the value of cookie `name`, if the request sent it.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// Builds a `Set-Cookie` value; `max_age` 0 deletes the cookie. Returns `None` when
/// the value has characters a cookie cannot carry (the values pelab sets never do).
pub fn set(
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
    http_only: bool,
    same_site: &str,
    secure: bool,
) -> Option<HeaderValue> {
    let mut text = format!("{name}={value}; Path={path}; Max-Age={max_age}; SameSite={same_site}");
    if http_only {
        text.push_str("; HttpOnly");
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; pelab_access=xyz"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(get(&h, "pelab_access"), Some("xyz"));
        assert_eq!(get(&h, "b"), Some("2"));
        assert_eq!(get(&h, "pelab"), None);
    }

    #[test]
    fn set_cookie_carries_its_flags() {
        let v = set("pelab_access", "t", "/", 900, true, "Lax", true).unwrap();
        assert_eq!(
            v.to_str().unwrap(),
            "pelab_access=t; Path=/; Max-Age=900; SameSite=Lax; HttpOnly; Secure"
        );
        assert!(set("x", "bad\nvalue", "/", 1, false, "Strict", false).is_none());
    }
}
