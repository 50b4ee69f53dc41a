//! Dashboard passwords: argon2id with the crate's default (OWASP-recommended) cost, stored as
//! PHC strings so the parameters travel with each hash and can be raised later.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_CHARS: usize = 12;
/// Bounds the work one sign-in can ask of the server.
pub const MAX_CHARS: usize = 256;

/// Why a new password is refused, in words for the person choosing it.
pub fn check_new(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "The password must be at least {MIN_CHARS} characters long (it is {chars})."
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "The password must be at most {MAX_CHARS} characters long."
        ));
    }
    if password.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("The password must not be the email address.".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, String> {
    let salt_bytes = crate::base::ids::random_bytes::<16>();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_CHARS {
        return false;
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Checked against when the email is unknown, so a wrong email costs the same time as a
/// wrong password and timing does not tell which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password, never valid").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("correct horse battery", "not a hash"));
        assert_ne!(h, hash("correct horse battery").expect("hash"), "salted");
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(
            check_new("short", "a@b.c")
                .expect_err("too short")
                .contains("at least 12")
        );
        assert!(check_new("owner@shop.example", "Owner@Shop.example").is_err());
        assert!(check_new(&"x".repeat(257), "a@b.c").is_err());
        assert!(check_new("twelve chars", "a@b.c").is_ok());
    }
}
