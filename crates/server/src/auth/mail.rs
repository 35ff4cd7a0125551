//! Sign-in mail over SMTP (lettre), or the server log when no SMTP server is set.

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::AuthConfig;

/// The destination of sign-in links.
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        /// The transport.
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        /// Sender.
        from: Mailbox,
    },
    /// No SMTP server: links go to the log only.
    LogOnly,
}

impl Mailer {
    /// Builds the mailer of the configured SMTP URL.
    ///
    /// # Errors
    /// A malformed URL or sender, naming the setting.
    pub fn new(config: &AuthConfig) -> Result<Mailer, String> {
        let Some(url) = &config.smtp_url else {
            return Ok(Mailer::LogOnly);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("auth.smtp_url: {e}"))?
            .build();
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| format!("auth.mail_from: \"{}\": {e}", config.mail_from))?;
        Ok(Mailer::Smtp {
            transport: Box::new(transport),
            from,
        })
    }

    /// Sends a message; the error names the recipient, never the link.
    ///
    /// # Errors
    /// SMTP errors.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let Mailer::Smtp { transport, from } = self else {
            return Ok(());
        };
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to}: {e}"))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to.clone())
            .subject(subject)
            .body(body)
            .map_err(|e| format!("message to {to}: {e}"))?;
        transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP delivery to {to}: {e}"))
    }
}
