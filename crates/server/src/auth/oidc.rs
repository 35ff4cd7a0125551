//! Google sign-in through OpenID Connect: the authorisation code flow with PKCE
//! (RFC 7636, S256) and a nonce.
//!
//! 1. Discovery: `ISSUER/.well-known/openid-configuration` gives the endpoints; its
//!    `issuer` must equal the configured one (OpenID Connect Discovery 1.0 §4.3).
//! 2. `start` redirects to the authorisation endpoint with `state`, `nonce` and the
//!    PKCE challenge; the same values ride in a signed, HttpOnly cookie.
//! 3. The callback checks `state` against the cookie, trades the code and verifier
//!    for tokens at the token endpoint (client secret in the body), and validates the
//!    ID token (OpenID Connect Core 1.0 §3.1.3.7): signature by a key of the
//!    provider's JWKS (RS256 or ES256 only), `iss`, `aud` = our client id, `exp`,
//!    `nonce`, and `email_verified`.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Url;
use serde::Deserialize;
use tokio::sync::RwLock;

/// Endpoints read from discovery.
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// Issuer identifier.
    pub issuer: String,
    /// The URL where the browser signs in.
    pub authorization_endpoint: String,
    /// The URL where codes are exchanged for tokens.
    pub token_endpoint: String,
    /// The provider's public keys.
    pub jwks_uri: String,
}

/// Claims of an ID token that pelab reads.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    /// Subject at the provider.
    pub sub: String,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the provider verified the address (a boolean, or `"true"` from some).
    #[serde(default)]
    pub email_verified: Option<serde_json::Value>,
    /// The nonce sent at the start.
    #[serde(default)]
    pub nonce: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
}

/// A configured OpenID Connect client.
pub struct OidcClient {
    issuer: String,
    client_id: String,
    client_secret: String,
    redirect_uri: String,
    http: reqwest::Client,
    discovery: RwLock<Option<Discovery>>,
    jwks: RwLock<Option<JwkSet>>,
}

impl OidcClient {
    /// Creates a client; nothing is fetched until the first sign-in.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        redirect_uri: &str,
    ) -> Result<OidcClient, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("OpenID Connect HTTP client: {e}"))?;
        Ok(OidcClient {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            redirect_uri: redirect_uri.to_string(),
            http,
            discovery: RwLock::new(None),
            jwks: RwLock::new(None),
        })
    }

    async fn discovery(&self) -> Result<Discovery, String> {
        if let Some(d) = self.discovery.read().await.clone() {
            return Ok(d);
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        let d: Discovery = self
            .http
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("discovery at {url}: {e}"))?
            .json()
            .await
            .map_err(|e| format!("discovery at {url}: {e}"))?;
        if d.issuer.trim_end_matches('/') != self.issuer {
            return Err(format!(
                "discovery at {url} names issuer {}, not {}",
                d.issuer, self.issuer
            ));
        }
        *self.discovery.write().await = Some(d.clone());
        Ok(d)
    }

    /// Builds the provider's sign-in URL for this request.
    ///
    /// # Errors
    /// Discovery failures.
    pub async fn authorize_url(
        &self,
        state: &str,
        nonce: &str,
        challenge: &str,
    ) -> Result<String, String> {
        let d = self.discovery().await?;
        let mut url = Url::parse(&d.authorization_endpoint)
            .map_err(|e| format!("authorization_endpoint: {e}"))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", "openid email")
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.to_string())
    }

    /// Trades a code for the ID token and returns its validated address.
    ///
    /// # Errors
    /// Any failed exchange or validation, in words.
    pub async fn sign_in(&self, code: &str, verifier: &str, nonce: &str) -> Result<String, String> {
        let d = self.discovery().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("code_verifier", verifier),
        ];
        let response: TokenResponse = self
            .http
            .post(&d.token_endpoint)
            .form(&form)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("token endpoint: {e}"))?
            .json()
            .await
            .map_err(|e| format!("token endpoint answer: {e}"))?;
        let id_token = response
            .id_token
            .ok_or("the token endpoint sent no id_token")?;
        let claims = self.validate(&d, &id_token).await?;
        if claims.nonce.as_deref() != Some(nonce) {
            return Err("the ID token's nonce does not match this sign-in".into());
        }
        let verified = match &claims.email_verified {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s == "true",
            _ => false,
        };
        match claims.email {
            Some(email) if verified => Ok(email),
            Some(email) => Err(format!("the provider has not verified {email}")),
            None => Err("the ID token carries no e-mail address".into()),
        }
    }

    async fn key(&self, d: &Discovery, kid: Option<&str>) -> Result<DecodingKey, String> {
        for refresh in [false, true] {
            if refresh || self.jwks.read().await.is_none() {
                let set: JwkSet = self
                    .http
                    .get(&d.jwks_uri)
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| format!("JWKS at {}: {e}", d.jwks_uri))?
                    .json()
                    .await
                    .map_err(|e| format!("JWKS at {}: {e}", d.jwks_uri))?;
                *self.jwks.write().await = Some(set);
            }
            let guard = self.jwks.read().await;
            let found = guard.as_ref().and_then(|set| match kid {
                Some(k) => set.find(k).cloned(),
                None if set.keys.len() == 1 => set.keys.first().cloned(),
                None => None,
            });
            if let Some(jwk) = found {
                return DecodingKey::from_jwk(&jwk).map_err(|e| format!("JWKS key: {e}"));
            }
        }
        Err(format!(
            "no key {} in the provider's JWKS",
            kid.unwrap_or("(no kid)")
        ))
    }

    async fn validate(&self, d: &Discovery, id_token: &str) -> Result<IdClaims, String> {
        let header =
            jsonwebtoken::decode_header(id_token).map_err(|e| format!("ID token header: {e}"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(format!(
                "ID token algorithm {:?} is not accepted (RS256, ES256)",
                header.alg
            ));
        }
        let key = self.key(d, header.kid.as_deref()).await?;
        let mut v = Validation::new(header.alg);
        v.set_audience(&[&self.client_id]);
        v.set_issuer(&[&d.issuer]);
        v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        v.leeway = 30;
        jsonwebtoken::decode::<IdClaims>(id_token, &key, &v)
            .map(|t| t.claims)
            .map_err(|e| format!("ID token: {e}"))
    }
}
