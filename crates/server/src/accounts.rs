//! Rules for accounts, shared by the setup page and `tether user add`.

/// A new account's fields, checked and normalised.
#[derive(Debug, Clone)]
pub struct ValidUser {
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("Please enter a valid e-mail address.")]
    BadEmail,
    #[error("Please enter a name (at most 80 characters).")]
    BadName,
    #[error("The password must have at least 10 characters.")]
    WeakPassword,
    #[error("The role must be admin or technician.")]
    BadRole,
}

impl AccountError {
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::BadEmail => "bad_email",
            AccountError::BadName => "bad_name",
            AccountError::WeakPassword => "weak_password",
            AccountError::BadRole => "bad_role",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(pub String);

pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn validate_new_user(
    email: &str,
    name: &str,
    password: &str,
    role: &str,
) -> Result<ValidUser, AccountError> {
    let user = validate_new_account(email, name, role)?;
    validate_password(password)?;
    Ok(user)
}

/// An account an administrator creates: the person sets the password later.
pub fn validate_new_account(
    email: &str,
    name: &str,
    role: &str,
) -> Result<ValidUser, AccountError> {
    let email = validate_email(email)?;
    let name = validate_name(name)?;
    if role != "admin" && role != "technician" {
        return Err(AccountError::BadRole);
    }
    Ok(ValidUser { email, name })
}

pub fn validate_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    let valid_email = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid_email {
        Ok(email)
    } else {
        Err(AccountError::BadEmail)
    }
}

pub fn validate_name(name: &str) -> Result<String, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(AccountError::BadName);
    }
    Ok(name.to_owned())
}

pub fn validate_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_a_good_account() {
        let u = validate_new_user(" Dana@Example.COM ", " Dana ", "0123456789", "admin")
            .expect("valid");
        assert_eq!(u.email, "dana@example.com");
        assert_eq!(u.name, "Dana");
    }

    #[test]
    fn refuses_bad_fields() {
        assert_eq!(
            validate_new_user("dana", "D", "0123456789", "admin").err(),
            Some(AccountError::BadEmail)
        );
        assert_eq!(
            validate_new_user("a@b.c", " ", "0123456789", "admin").err(),
            Some(AccountError::BadName)
        );
        assert_eq!(
            validate_new_user("a@b.c", "D", "short", "admin").err(),
            Some(AccountError::WeakPassword)
        );
        assert_eq!(
            validate_new_user("a@b.c", "D", "0123456789", "root").err(),
            Some(AccountError::BadRole)
        );
    }
}
