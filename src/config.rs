//! The `soc2-evidence.toml` configuration: strict parse (unknown keys rejected), then
//! validation that reports every problem at once, each with its key. Reads the file and nothing
//! else.

use std::path::Path;

use serde::Deserialize;

pub const FILE_NAME: &str = "soc2-evidence.toml";

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub organisation: Organisation,
    pub evidence: EvidenceConfig,
    /// Tunables of individual checks (`[checks]`), recorded in `summary.json`.
    pub checks: crate::checks::Settings,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Organisation {
    /// Shown on the report cover.
    pub name: String,
    /// The system under audit, as named in the SOC 2 system description.
    pub system: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvidenceConfig {
    /// Directory of the evidence inside the repository.
    pub root: String,
    /// Holds approved evidence.
    pub base_branch: String,
    /// Where the bot builds each new snapshot.
    pub bot_branch: String,
}

impl Default for Organisation {
    fn default() -> Self {
        Self {
            name: "Unnamed organisation".into(),
            system: "Azure estate".into(),
        }
    }
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            root: "evidence".into(),
            base_branch: "main".into(),
            bot_branch: "soc2-evidence/assessment".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: invalid configuration:\n  - {}", problems.join("\n  - "))]
    Invalid { file: String, problems: Vec<String> },
}

impl Config {
    /// Loads and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file.clone(),
            source,
        })?;
        Self::parse(&file, &text)
    }

    /// Loads `path` if given, else `<dir>/soc2-evidence.toml` if it exists, else defaults.
    pub fn discover(path: Option<&Path>, dir: &Path) -> Result<Self, ConfigError> {
        match path {
            Some(p) => Self::load(p),
            None => {
                let p = dir.join(FILE_NAME);
                if p.is_file() {
                    Self::load(&p)
                } else {
                    Ok(Self::default())
                }
            }
        }
    }

    pub fn parse(file: &str, text: &str) -> Result<Self, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let problems = cfg.problems();
        if problems.is_empty() {
            Ok(cfg)
        } else {
            Err(ConfigError::Invalid {
                file: file.to_string(),
                problems,
            })
        }
    }

    /// Every validation problem, each naming its key.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.organisation.name.trim().is_empty() {
            p.push("organisation.name: must not be empty".to_string());
        }
        if self.organisation.system.trim().is_empty() {
            p.push("organisation.system: must not be empty".to_string());
        }
        let root = &self.evidence.root;
        if root.is_empty()
            || root.starts_with('/')
            || root
                .split('/')
                .any(|c| c.is_empty() || c == "." || c == ".." || c == ".git")
        {
            p.push(format!(
                "evidence.root: {root:?} must be a relative path inside the repository"
            ));
        }
        for (key, branch) in [
            ("evidence.base_branch", &self.evidence.base_branch),
            ("evidence.bot_branch", &self.evidence.bot_branch),
        ] {
            if !git2::Reference::is_valid_name(&format!("refs/heads/{branch}")) {
                p.push(format!("{key}: {branch:?} is not a valid branch name"));
            }
        }
        let c = &self.checks;
        for (key, value) in [
            ("checks.max_global_admins", c.max_global_admins),
            ("checks.max_subscription_owners", c.max_subscription_owners),
            ("checks.stale_account_days", c.stale_account_days),
            ("checks.max_credential_days", c.max_credential_days),
            ("checks.min_log_retention_days", c.min_log_retention_days),
        ] {
            if value == 0 {
                p.push(format!("{key}: must be at least 1"));
            }
        }
        for (i, tag) in c.required_tags.iter().enumerate() {
            if tag.trim().is_empty() {
                p.push(format!("checks.required_tags[{i}]: must not be empty"));
            }
        }
        if self.evidence.base_branch == self.evidence.bot_branch {
            p.push("evidence.bot_branch: must differ from evidence.base_branch".to_string());
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_when_empty() {
        let c = Config::parse("x.toml", "").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.evidence.bot_branch, "soc2-evidence/assessment");
    }

    #[test]
    fn full_file_parses() {
        let c = Config::parse(
            "x.toml",
            "[organisation]\nname = \"Contoso\"\nsystem = \"Payments\"\n\
             [evidence]\nroot = \"audit/evidence\"\nbase_branch = \"trunk\"\nbot_branch = \"bot\"\n",
        )
        .unwrap();
        assert_eq!(c.organisation.name, "Contoso");
        assert_eq!(c.evidence.root, "audit/evidence");
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let e = Config::parse("x.toml", "[evidence]\nbase_brnch = \"main\"\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("x.toml:"), "{msg}");
        assert!(msg.contains("base_brnch"), "{msg}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let e = Config::parse(
            "x.toml",
            "[organisation]\nname = \"\"\n[evidence]\nroot = \"../out\"\nbase_branch = \"a..b\"\nbot_branch = \"a..b\"\n",
        )
        .unwrap_err();
        let ConfigError::Invalid { problems, .. } = &e else {
            panic!("{e}")
        };
        let keys: Vec<&str> = problems
            .iter()
            .map(|p| p.split(':').next().unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "organisation.name",
                "evidence.root",
                "evidence.base_branch",
                "evidence.bot_branch",
                "evidence.bot_branch"
            ]
        );
    }
}
