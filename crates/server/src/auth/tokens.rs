//! Signed tokens and secrets: access JWTs, sign-in link JWTs, the OpenID Connect
//! state, refresh and API token secrets, and the CSRF token of a session.
//!
//! Access and link tokens are HS256 JWTs (RFC 7519) signed with a 256-bit key kept in
//! the database, so every server sharing it accepts them. Each kind has its own
//! audience, and validation accepts HS256 only: a token with `alg: none`, another
//! algorithm, a foreign audience or issuer, or an `exp` in the past is refused.
//! Refresh and API tokens are random 256-bit secrets; only their SHA-256 is stored.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Issuer of every token pelab signs.
pub const ISSUER: &str = "pelab";
/// Audience of access tokens.
pub const AUD_ACCESS: &str = "pelab-api";
/// Audience of sign-in link tokens.
pub const AUD_LINK: &str = "pelab-login-link";
/// Audience of the OpenID Connect state cookie.
pub const AUD_OIDC_STATE: &str = "pelab-oidc-state";
/// Prefix of API token secrets, so scanners and people recognise them.
pub const API_TOKEN_PREFIX: &str = "pelab_";
/// Clock skew accepted on `exp` [s].
const LEEWAY_SECS: u64 = 5;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The member (user id).
    pub sub: Uuid,
    /// Organisation.
    pub org: Uuid,
    /// Session family.
    pub sid: Uuid,
    /// Issued at [s since 1970].
    pub iat: i64,
    /// Expiry [s since 1970].
    pub exp: i64,
}

/// Claims of a sign-in link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The address the link was sent to.
    pub sub: String,
    /// Id recorded for single use.
    pub jti: String,
    /// Issued at.
    pub iat: i64,
    /// Expiry.
    pub exp: i64,
}

/// Claims of the OpenID Connect state cookie: what the callback must match.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcStateClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The `state` parameter sent to the provider.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier (RFC 7636).
    pub verifier: String,
    /// The page to open after signing in (a path on this server).
    pub return_to: String,
    /// Expiry.
    pub exp: i64,
}

/// The signing key and what derives from it.
#[derive(Clone)]
pub struct Keys {
    secret: Vec<u8>,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    /// Keys from a secret of at least 32 bytes.
    ///
    /// # Errors
    /// A shorter secret.
    pub fn new(secret: &[u8]) -> Result<Keys, String> {
        if secret.len() < 32 {
            return Err(format!(
                "the signing key has {} bytes; at least 32 are needed",
                secret.len()
            ));
        }
        let bad = |e: jsonwebtoken::errors::Error| format!("signing key: {e}");
        Ok(Keys {
            secret: secret.to_vec(),
            encoding: EncodingKey::from_secret(secret).map_err(bad)?,
            decoding: DecodingKey::from_secret(secret).map_err(bad)?,
        })
    }

    /// Signs claims with HS256.
    ///
    /// # Errors
    /// Serialisation errors only.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// Verifies an HS256 token of the given audience and returns its claims.
    ///
    /// # Errors
    /// Any bad signature, algorithm, audience, issuer or expiry.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[audience]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "aud", "iss"]);
        v.leeway = LEEWAY_SECS;
        jsonwebtoken::decode::<T>(token, &self.decoding, &v).map(|d| d.claims)
    }

    /// Returns the CSRF token of a session family: HMAC-SHA256 of its id, so a page
    /// cannot forge it without the key, and no table needs to keep it.
    pub fn csrf_token(&self, family: Uuid) -> String {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.secret)
            .expect("HMAC accepts keys of any length");
        mac.update(b"csrf:");
        mac.update(family.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks whether `presented` is the CSRF token of `family`, in constant time.
    pub fn csrf_matches(&self, family: Uuid, presented: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(presented) else {
            return false;
        };
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.secret)
            .expect("HMAC accepts keys of any length");
        mac.update(b"csrf:");
        mac.update(family.as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }
}

/// `n` random bytes from the operating system.
///
/// # Panics
/// When the operating system has no random source, which no supported platform lacks.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    buf
}

/// Returns a random 256-bit secret, base64url without padding (43 characters).
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// SHA-256 of a secret, hex: what the database keeps.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Computes the PKCE S256 challenge of a verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn keys() -> Keys {
        Keys::new(&[7u8; 32]).unwrap()
    }

    fn access(exp_offset: i64, aud: &str) -> AccessClaims {
        let now = Utc::now().timestamp();
        AccessClaims {
            iss: ISSUER.into(),
            aud: aud.into(),
            sub: Uuid::nil(),
            org: Uuid::nil(),
            sid: Uuid::nil(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn a_signed_access_token_verifies() {
        let k = keys();
        let t = k.sign(&access(60, AUD_ACCESS)).unwrap();
        let c: AccessClaims = k.verify(&t, AUD_ACCESS).unwrap();
        assert_eq!(c.aud, AUD_ACCESS);
    }

    #[test]
    fn expired_foreign_audience_and_foreign_key_are_refused() {
        let k = keys();
        let expired = k.sign(&access(-60, AUD_ACCESS)).unwrap();
        assert!(k.verify::<AccessClaims>(&expired, AUD_ACCESS).is_err());
        let link = k.sign(&access(60, AUD_LINK)).unwrap();
        assert!(k.verify::<AccessClaims>(&link, AUD_ACCESS).is_err());
        let other = Keys::new(&[8u8; 32])
            .unwrap()
            .sign(&access(60, AUD_ACCESS))
            .unwrap();
        assert!(k.verify::<AccessClaims>(&other, AUD_ACCESS).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        let k = keys();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&access(60, AUD_ACCESS)).unwrap());
        for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
            assert!(k.verify::<AccessClaims>(&token, AUD_ACCESS).is_err());
        }
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let k = keys();
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let t = k.csrf_token(a);
        assert!(k.csrf_matches(a, &t));
        assert!(!k.csrf_matches(b, &t));
        assert!(!k.csrf_matches(a, "not base64 !"));
        assert!(!Keys::new(&[9u8; 32]).unwrap().csrf_matches(a, &t));
    }

    #[test]
    fn pkce_challenge_is_base64url_of_sha256() {
        // Expected value from Python's hashlib and base64, independently:
        // base64.urlsafe_b64encode(hashlib.sha256(v).digest()).rstrip(b"=")
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(random_secret().len(), 43);
        assert_ne!(random_secret(), random_secret());
    }
}
