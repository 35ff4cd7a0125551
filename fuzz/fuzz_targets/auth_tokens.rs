//! Fuzzes what a client sends to authenticate: the `Cookie` header, access and
//! sign-in link JWTs, and CSRF tokens. The server's own modules are compiled in
//! directly, so the target does not build the whole server. Nothing may panic, and
//! no input without the key may verify.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/server/src/auth/cookies.rs"]
#[allow(dead_code)]
mod cookies;
#[path = "../../crates/server/src/auth/tokens.rs"]
#[allow(dead_code)]
mod tokens;

use tokens::{AUD_ACCESS, AUD_LINK, AccessClaims, Keys, LinkClaims};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (cookie_line, token) = text.split_once('\n').unwrap_or((&text, &text));
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_str(cookie_line) {
        headers.insert(http::header::COOKIE, value);
    }
    for name in ["pelab_access", "pelab_refresh", "pelab_csrf"] {
        let _ = cookies::get(&headers, name);
    }
    let keys = Keys::new(&[42u8; 32]).expect("a 32-byte key");
    assert!(keys.verify::<AccessClaims>(token, AUD_ACCESS).is_err());
    assert!(keys.verify::<LinkClaims>(token, AUD_LINK).is_err());
    assert!(!keys.csrf_matches(uuid::Uuid::nil(), token));
    let _ = cookies::set("pelab_access", token, "/", 900, true, "Lax", true);
});
