//! Accounts, passwords and sessions.

use crate::entities::{account, counter, membership, session};
use crate::{Result, Store, StoreError, commit, parse_id, parse_name, seconds};
use argon2::password_hash::{
    PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Datelike, Duration, Utc};
use hourbook_domain::access::Actor;
use hourbook_domain::identity::{Email, volunteer_number};
use hourbook_domain::{Locale, MemberRole};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// An account as others may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Account {
    /// Account id.
    pub id: Uuid,
    /// E-mail address.
    pub email: String,
    /// Name.
    pub name: String,
    /// The platform's volunteer number.
    pub volunteer_number: String,
    /// Platform administrator.
    pub is_platform_admin: bool,
    /// Preferred language.
    pub locale: String,
}

impl TryFrom<account::Model> for Account {
    type Error = StoreError;
    fn try_from(m: account::Model) -> Result<Self> {
        Ok(Self {
            id: parse_id(&m.id)?,
            email: m.email,
            name: m.name,
            volunteer_number: m.volunteer_number,
            is_platform_admin: m.is_platform_admin,
            locale: m.locale,
        })
    }
}

/// Argon2id password hashing with configurable cost.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    params: Params,
}

impl PasswordHasher {
    /// `memory_kib` and `iterations` set the cost; production uses OWASP's 19 MiB x 2.
    /// Out-of-range values are a configuration error, reported as argon2 words it.
    pub fn new(memory_kib: u32, iterations: u32) -> Result<Self, argon2::Error> {
        Ok(Self {
            params: Params::new(memory_kib, iterations, 1, None)?,
        })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// A PHC string with a fresh random salt.
    pub fn hash(&self, password: &str) -> Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Corrupt(format!("hashing failed: {e}")))
    }

    /// Whether `password` matches `phc` (whose own parameters are used).
    pub fn verify(&self, password: &str, phc: &str) -> bool {
        PasswordHash::new(phc)
            .map(|hash| {
                self.argon2()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

/// SHA-256 of a bearer token: only the hash is stored, so a leaked table grants no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The next value of a named counter, inside the caller's transaction.
pub(crate) async fn next_counter(db: &impl ConnectionTrait, name: &str) -> Result<i64> {
    counter::Entity::insert(counter::ActiveModel {
        name: Set(name.to_string()),
        value: Set(0),
    })
    .on_conflict(
        OnConflict::column(counter::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    counter::Entity::update_many()
        .col_expr(
            counter::Column::Value,
            Expr::col(counter::Column::Value).add(1),
        )
        .filter(counter::Column::Name.eq(name))
        .exec(db)
        .await?;
    let row = counter::Entity::find_by_id(name.to_string())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("counter"))?;
    Ok(row.value)
}

/// Inserts an account inside the caller's transaction.
pub(crate) async fn insert_account(
    db: &impl ConnectionTrait,
    email: &Email,
    name: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<Account> {
    let taken = account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(StoreError::conflict(
            "an account with this e-mail address already exists",
        ));
    }
    let sequence = next_counter(db, "volunteer_number").await?;
    let model = account::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        email: Set(email.as_str().to_string()),
        name: Set(name.to_string()),
        password_hash: Set(password_hash.to_string()),
        is_platform_admin: Set(false),
        volunteer_number: Set(volunteer_number(now.year(), sequence as u64)),
        locale: Set("zh-CN".into()),
        lock_version: Set(0),
        created_at: Set(seconds(now)),
    };
    let inserted = account::Entity::insert(model.clone())
        .exec_without_returning(db)
        .await;
    match inserted {
        Ok(_) => {}
        // Two registrations of one address at once: the unique index decides.
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            return Err(StoreError::conflict(
                "an account with this e-mail address already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    account::Entity::find_by_id(model.id.unwrap())
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("account"))?
        .try_into()
}

impl Store {
    /// Registers a volunteer account.
    pub async fn register(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let txn = self.write().await?;
        let account = insert_account(&txn, email, name, password_hash, now).await?;
        commit(txn, account).await
    }

    /// Changes an account's name and language (each only when given).
    pub async fn update_account(
        &self,
        id: Uuid,
        name: Option<String>,
        locale: Option<Locale>,
    ) -> Result<Account> {
        if name.is_none() && locale.is_none() {
            return self.account(id).await;
        }
        let mut update =
            account::Entity::update_many().filter(account::Column::Id.eq(id.to_string()));
        if let Some(name) = name {
            update = update.col_expr(account::Column::Name, Expr::value(name));
        }
        if let Some(locale) = locale {
            update = update.col_expr(account::Column::Locale, Expr::value(locale.as_str()));
        }
        update.exec(self.db()).await?;
        self.account(id).await
    }

    /// The account and password hash for a login attempt.
    pub async fn find_login(&self, email: &Email) -> Result<Option<(Account, String)>> {
        let found = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(self.db())
            .await?;
        found
            .map(|m| {
                let hash = m.password_hash.clone();
                Account::try_from(m).map(|a| (a, hash))
            })
            .transpose()
    }

    /// Creates or promotes a platform administrator (the `hourbook admin create` command).
    pub async fn ensure_platform_admin(
        &self,
        email: &Email,
        name: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let txn = self.write().await?;
        let existing = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(m) => m.id,
            None => insert_account(&txn, email, name, password_hash, now)
                .await?
                .id
                .to_string(),
        };
        account::Entity::update_many()
            .col_expr(account::Column::IsPlatformAdmin, Expr::value(true))
            .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
            .filter(account::Column::Id.eq(id.clone()))
            .exec(&txn)
            .await?;
        let account = account::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound("account"))?;
        commit(txn, account.try_into()?).await
    }

    /// Stores a new session for `account_id` under the token's hash.
    pub async fn create_session(
        &self,
        account_id: Uuid,
        token_hash: String,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<DateTime<Utc>> {
        let expires_at = seconds(now + ttl);
        session::Entity::insert(session::ActiveModel {
            token_hash: Set(token_hash),
            account_id: Set(account_id.to_string()),
            created_at: Set(seconds(now)),
            expires_at: Set(expires_at),
        })
        .exec_without_returning(self.db())
        .await?;
        Ok(expires_at)
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        session::Entity::delete_by_id(token_hash.to_string())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The account and roles behind an unexpired session, if any.
    pub async fn resolve_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Account, Actor)>> {
        let Some(session) = session::Entity::find_by_id(token_hash.to_string())
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        if session.expires_at <= now {
            session::Entity::delete_by_id(session.token_hash)
                .exec(self.db())
                .await?;
            return Ok(None);
        }
        let Some(model) = account::Entity::find_by_id(session.account_id)
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let account = Account::try_from(model)?;
        let actor = self.actor(&account).await?;
        Ok(Some((account, actor)))
    }

    /// The roles an account holds.
    pub async fn actor(&self, account: &Account) -> Result<Actor> {
        let rows = membership::Entity::find()
            .filter(membership::Column::AccountId.eq(account.id.to_string()))
            .all(self.db())
            .await?;
        let memberships = rows
            .into_iter()
            .map(|m| {
                Ok((
                    parse_id(&m.organization_id)?,
                    parse_name::<MemberRole>(&m.role)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Actor {
            account_id: account.id,
            platform_admin: account.is_platform_admin,
            memberships,
        })
    }

    /// One account by id.
    pub async fn account(&self, id: Uuid) -> Result<Account> {
        account::Entity::find_by_id(id.to_string())
            .one(self.db())
            .await?
            .ok_or(StoreError::NotFound("account"))?
            .try_into()
    }
}
