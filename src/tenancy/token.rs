use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

/// A freshly minted API token. It is shown once, to whoever created it; the control plane
/// keeps only its SHA-256 ([`hash_token`]) and a short prefix to tell keys apart.
pub struct ApiToken {
    /// The secret itself: `sg_` and 43 characters of base64url (256 random bits).
    pub secret: String,
}

impl ApiToken {
    /// Mints a token from the operating system's random source.
    pub fn generate() -> Self {
        Self { secret: mint_secret("sg_") }
    }

    /// The part of the token safe to show in listings.
    pub fn prefix(&self) -> String {
        self.secret.chars().take(10).collect()
    }
}

/// A new secret: `prefix` and 43 characters of base64url carrying 256 bits from the
/// operating system's random source. API keys and customer tokens are minted by it.
pub fn mint_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token. Tokens carry 256 random bits, so a fast hash is enough: no
/// dictionary of likely tokens exists to attack it with.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
