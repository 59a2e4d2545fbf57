//! Just enough Kusto (KQL) to answer the collector's Resource Graph queries: a table, then
//! `where` (comparisons, `in`/`in~` lists, `and`/`or`/`not`, a few functions), `project`,
//! `extend`, `order by`/`sort by`, `limit`/`take`, `count` and `summarize count() [by …]`.
//! Anything else is a parse error, answered as Resource Graph answers an invalid query, so a
//! query the fake does not understand fails loudly instead of being silently unfiltered.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    const SYMS: [&str; 20] = [
        "==", "!=", "=~", "!~", "<=", ">=", "|", "(", ")", ",", ".", "[", "]", "=", "~", "!", "<",
        ">", "-", "*",
    ];
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '\'' || c == '"' {
            let q = c;
            let mut v = String::new();
            i += 1;
            loop {
                let Some(&ch) = chars.get(i) else {
                    return Err("unterminated string literal".into());
                };
                i += 1;
                if ch == '\\' {
                    let Some(&esc) = chars.get(i) else {
                        return Err("dangling escape".into());
                    };
                    i += 1;
                    v.push(match esc {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else if ch == q {
                    break;
                } else {
                    v.push(ch);
                }
            }
            out.push(Tok::Str(v));
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(
                text.parse().map_err(|_| format!("bad number {text}"))?,
            ));
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' || c == '@' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            // `project-away`, `mv-expand`: operator names with a hyphen.
            if i < chars.len()
                && chars[i] == '-'
                && chars.get(i + 1).is_some_and(|c| c.is_alphabetic())
            {
                let word: String = chars[start..i].iter().collect();
                if matches!(word.as_str(), "project" | "mv") {
                    i += 1;
                    while i < chars.len() && chars[i].is_alphanumeric() {
                        i += 1;
                    }
                }
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        match SYMS.iter().find(|s| rest.starts_with(**s)) {
            Some(s) => {
                out.push(Tok::Sym(s));
                i += s.len();
            }
            None => return Err(format!("unexpected character '{c}'")),
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub enum Expr {
    Lit(Value),
    Path(Vec<String>),
    Call(String, Vec<Expr>),
    Cmp(Box<Expr>, String, Box<Expr>),
    In {
        lhs: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        case_insensitive: bool,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug, Clone)]
pub enum Op {
    Where(Expr),
    Project(Vec<(String, Expr)>),
    ProjectAway(Vec<String>),
    Extend(Vec<(String, Expr)>),
    Order(Vec<(Expr, bool)>),
    Limit(usize),
    Count,
    SummarizeCount {
        name: String,
        by: Vec<(String, Expr)>,
    },
}

#[derive(Debug, Clone)]
pub struct Query {
    /// Lower-cased table name (`resources`, `securityresources`, …).
    pub table: String,
    pub ops: Vec<Op>,
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(x)) if x.eq_ignore_ascii_case(w))
    }
    fn expect_sym(&mut self, s: &str) -> Result<(), String> {
        if self.is_sym(s) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{s}', found {:?}", self.peek()))
        }
    }
    fn ident(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Ident(s)) => Ok(s),
            other => Err(format!("expected a name, found {other:?}")),
        }
    }

    fn query(&mut self) -> Result<Query, String> {
        let table = self.ident()?.to_ascii_lowercase();
        let mut ops = Vec::new();
        while self.peek().is_some() {
            self.expect_sym("|")?;
            let op = self.ident()?.to_ascii_lowercase();
            ops.push(match op.as_str() {
                "where" => Op::Where(self.expr()?),
                "project" => Op::Project(self.assignments()?),
                "project-away" => {
                    let mut names = vec![self.ident()?];
                    while self.is_sym(",") {
                        self.pos += 1;
                        names.push(self.ident()?);
                    }
                    Op::ProjectAway(names)
                }
                "extend" => Op::Extend(self.assignments()?),
                "order" | "sort" => {
                    if !self.is_word("by") {
                        return Err(format!("expected 'by' after '{op}'"));
                    }
                    self.pos += 1;
                    let mut keys = Vec::new();
                    loop {
                        let e = self.expr()?;
                        // KQL sorts descending unless told otherwise.
                        let asc = if self.is_word("asc") {
                            self.pos += 1;
                            true
                        } else {
                            if self.is_word("desc") {
                                self.pos += 1;
                            }
                            false
                        };
                        keys.push((e, asc));
                        if !self.is_sym(",") {
                            break;
                        }
                        self.pos += 1;
                    }
                    Op::Order(keys)
                }
                "limit" | "take" => match self.next() {
                    Some(Tok::Num(n)) => Op::Limit(n as usize),
                    other => return Err(format!("expected a row count, found {other:?}")),
                },
                "count" => Op::Count,
                "summarize" => {
                    let name = if matches!(self.toks.get(self.pos + 1), Some(Tok::Sym("="))) {
                        let n = self.ident()?;
                        self.pos += 1;
                        n
                    } else {
                        "count_".to_string()
                    };
                    let f = self.ident()?;
                    if !f.eq_ignore_ascii_case("count") {
                        return Err(format!("summarize {f}() is not supported by the fake"));
                    }
                    self.expect_sym("(")?;
                    self.expect_sym(")")?;
                    let by = if self.is_word("by") {
                        self.pos += 1;
                        self.assignments()?
                    } else {
                        vec![]
                    };
                    Op::SummarizeCount { name, by }
                }
                other => return Err(format!("operator '{other}' is not supported by the fake")),
            });
        }
        Ok(Query { table, ops })
    }

    /// `a, b = expr, c.d` → (column name, expression).
    fn assignments(&mut self) -> Result<Vec<(String, Expr)>, String> {
        let mut out = Vec::new();
        loop {
            if matches!(self.peek(), Some(Tok::Ident(_)))
                && matches!(self.toks.get(self.pos + 1), Some(Tok::Sym("=")))
            {
                let name = self.ident()?;
                self.pos += 1;
                out.push((name, self.expr()?));
            } else {
                let e = self.expr()?;
                let name = match &e {
                    Expr::Path(p) => p.join("_"),
                    _ => format!("Column{}", out.len() + 1),
                };
                out.push((name, e));
            }
            if !self.is_sym(",") {
                break;
            }
            self.pos += 1;
        }
        Ok(out)
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut lhs = self.and_expr()?;
        while self.is_word("or") {
            self.pos += 1;
            lhs = Expr::Or(Box::new(lhs), Box::new(self.and_expr()?));
        }
        Ok(lhs)
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut lhs = self.cmp_expr()?;
        while self.is_word("and") {
            self.pos += 1;
            lhs = Expr::And(Box::new(lhs), Box::new(self.cmp_expr()?));
        }
        Ok(lhs)
    }

    fn cmp_expr(&mut self) -> Result<Expr, String> {
        let lhs = self.operand()?;
        // `in`, `in~`, `!in`, `!in~`
        let negated_in = self.is_sym("!")
            && matches!(self.toks.get(self.pos + 1), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("in"));
        if self.is_word("in") || negated_in {
            if negated_in {
                self.pos += 1;
            }
            self.pos += 1;
            let case_insensitive = self.is_sym("~");
            if case_insensitive {
                self.pos += 1;
            }
            self.expect_sym("(")?;
            let mut list = Vec::new();
            if !self.is_sym(")") {
                loop {
                    list.push(self.operand()?);
                    if !self.is_sym(",") {
                        break;
                    }
                    self.pos += 1;
                }
            }
            self.expect_sym(")")?;
            return Ok(Expr::In {
                lhs: Box::new(lhs),
                list,
                negated: negated_in,
                case_insensitive,
            });
        }
        let op = match self.peek() {
            Some(Tok::Sym(s)) if ["==", "!=", "=~", "!~", "<", ">", "<=", ">="].contains(s) => {
                s.to_string()
            }
            Some(Tok::Ident(w))
                if ["contains", "has", "startswith", "endswith", "contains_cs"]
                    .contains(&w.to_ascii_lowercase().as_str()) =>
            {
                w.to_ascii_lowercase()
            }
            Some(Tok::Sym("!")) if matches!(self.toks.get(self.pos + 1), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("contains") || w.eq_ignore_ascii_case("has")) =>
            {
                self.pos += 1;
                let Some(Tok::Ident(w)) = self.peek().cloned() else {
                    unreachable!()
                };
                format!("!{}", w.to_ascii_lowercase())
            }
            _ => return Ok(lhs),
        };
        self.pos += 1;
        let rhs = self.operand()?;
        Ok(Expr::Cmp(Box::new(lhs), op, Box::new(rhs)))
    }

    fn operand(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Expr::Lit(Value::String(s))),
            Some(Tok::Num(n)) => Ok(Expr::Lit(json!(n))),
            Some(Tok::Sym("-")) => match self.next() {
                Some(Tok::Num(n)) => Ok(Expr::Lit(json!(-n))),
                other => Err(format!("expected a number after '-', found {other:?}")),
            },
            Some(Tok::Sym("(")) => {
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(e)
            }
            Some(Tok::Ident(w)) if w == "true" || w == "false" => {
                Ok(Expr::Lit(Value::Bool(w == "true")))
            }
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("not") && self.is_sym("(") => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect_sym(")")?;
                Ok(Expr::Not(Box::new(e)))
            }
            Some(Tok::Ident(w)) if self.is_sym("(") => {
                self.pos += 1;
                let mut args = Vec::new();
                if !self.is_sym(")") {
                    loop {
                        args.push(self.expr()?);
                        if !self.is_sym(",") {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                self.expect_sym(")")?;
                let f = w.to_ascii_lowercase();
                if !matches!(
                    f.as_str(),
                    "tolower"
                        | "toupper"
                        | "tostring"
                        | "isnotempty"
                        | "isempty"
                        | "isnull"
                        | "isnotnull"
                        | "tobool"
                        | "iff"
                        | "iif"
                        | "coalesce"
                ) {
                    return Err(format!("function {w}() is not supported by the fake"));
                }
                Ok(Expr::Call(f, args))
            }
            Some(Tok::Ident(w)) => {
                let mut path = vec![w];
                loop {
                    if self.is_sym(".") {
                        self.pos += 1;
                        path.push(self.ident()?);
                    } else if self.is_sym("[") {
                        self.pos += 1;
                        match self.next() {
                            Some(Tok::Str(s)) => path.push(s),
                            Some(Tok::Num(n)) => path.push(format!("{}", n as usize)),
                            other => return Err(format!("bad index {other:?}")),
                        }
                        self.expect_sym("]")?;
                    } else {
                        break;
                    }
                }
                Ok(Expr::Path(path))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

pub fn parse(q: &str) -> Result<Query, String> {
    let mut p = Parser {
        toks: tokenize(q)?,
        pos: 0,
    };
    p.query()
}

fn lookup(row: &Value, path: &[String]) -> Value {
    let mut cur = row;
    // Column names are case-insensitive at the top level in ARG.
    let first = &path[0];
    cur = match cur.as_object().and_then(|m| {
        m.get(first).or_else(|| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(first))
                .map(|x| x.1)
        })
    }) {
        Some(v) => v,
        None => return Value::Null,
    };
    for seg in &path[1..] {
        cur = match cur {
            Value::Object(m) => match m.get(seg) {
                Some(v) => v,
                None => return Value::Null,
            },
            Value::Array(a) => match seg.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(v) => v,
                None => return Value::Null,
            },
            _ => return Value::Null,
        };
    }
    cur.clone()
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::Null, _) | (_, Value::Null) => None,
        _ => Some(as_text(a)?.cmp(&as_text(b)?)),
    }
}

fn eq(a: &Value, b: &Value, ci: bool) -> bool {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => false,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => match (as_text(a), as_text(b)) {
            (Some(x), Some(y)) if ci => x.eq_ignore_ascii_case(&y),
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

pub fn eval(e: &Expr, row: &Value) -> Value {
    match e {
        Expr::Lit(v) => v.clone(),
        Expr::Path(p) => lookup(row, p),
        Expr::Not(x) => Value::Bool(!truthy(&eval(x, row))),
        Expr::And(a, b) => Value::Bool(truthy(&eval(a, row)) && truthy(&eval(b, row))),
        Expr::Or(a, b) => Value::Bool(truthy(&eval(a, row)) || truthy(&eval(b, row))),
        Expr::In {
            lhs,
            list,
            negated,
            case_insensitive,
        } => {
            let v = eval(lhs, row);
            let found = list
                .iter()
                .any(|item| eq(&v, &eval(item, row), *case_insensitive));
            Value::Bool(found != *negated)
        }
        Expr::Cmp(a, op, b) => {
            let (x, y) = (eval(a, row), eval(b, row));
            let text = |v: &Value| as_text(v).unwrap_or_default().to_lowercase();
            Value::Bool(match op.as_str() {
                "==" => eq(&x, &y, false),
                "=~" => eq(&x, &y, true),
                "!=" => !x.is_null() && !eq(&x, &y, false),
                "!~" => !x.is_null() && !eq(&x, &y, true),
                "<" => compare(&x, &y) == Some(Ordering::Less),
                ">" => compare(&x, &y) == Some(Ordering::Greater),
                "<=" => matches!(compare(&x, &y), Some(Ordering::Less | Ordering::Equal)),
                ">=" => matches!(compare(&x, &y), Some(Ordering::Greater | Ordering::Equal)),
                "contains" | "has" => text(&x).contains(&text(&y)),
                "!contains" | "!has" => !text(&x).contains(&text(&y)),
                "contains_cs" => as_text(&x)
                    .unwrap_or_default()
                    .contains(&as_text(&y).unwrap_or_default()),
                "startswith" => text(&x).starts_with(&text(&y)),
                "endswith" => text(&x).ends_with(&text(&y)),
                _ => false,
            })
        }
        Expr::Call(f, args) => {
            let arg = |i: usize| args.get(i).map(|a| eval(a, row)).unwrap_or(Value::Null);
            match f.as_str() {
                "tolower" => as_text(&arg(0)).map_or(Value::Null, |s| s.to_lowercase().into()),
                "toupper" => as_text(&arg(0)).map_or(Value::Null, |s| s.to_uppercase().into()),
                "tostring" => match arg(0) {
                    Value::Null => Value::String(String::new()),
                    Value::String(s) => Value::String(s),
                    other => Value::String(other.to_string()),
                },
                "isnotempty" => Value::Bool(!is_empty(&arg(0))),
                "isempty" => Value::Bool(is_empty(&arg(0))),
                "isnull" => Value::Bool(arg(0).is_null()),
                "isnotnull" => Value::Bool(!arg(0).is_null()),
                "tobool" => match arg(0) {
                    Value::Bool(b) => Value::Bool(b),
                    Value::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
                    Value::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
                    _ => Value::Null,
                },
                "iff" | "iif" => {
                    if truthy(&arg(0)) {
                        arg(1)
                    } else {
                        arg(2)
                    }
                }
                "coalesce" => args
                    .iter()
                    .map(|a| eval(a, row))
                    .find(|v| !v.is_null())
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            }
        }
    }
}

/// Runs the query's operators over the table's rows.
pub fn run(q: &Query, mut rows: Vec<Value>) -> Vec<Value> {
    for op in &q.ops {
        rows = match op {
            Op::Where(e) => rows.into_iter().filter(|r| truthy(&eval(e, r))).collect(),
            Op::Project(cols) => rows
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    for (name, e) in cols {
                        m.insert(name.clone(), eval(e, r));
                    }
                    Value::Object(m)
                })
                .collect(),
            Op::ProjectAway(names) => rows
                .into_iter()
                .map(|mut r| {
                    if let Some(m) = r.as_object_mut() {
                        for n in names {
                            m.remove(n);
                        }
                    }
                    r
                })
                .collect(),
            Op::Extend(cols) => rows
                .into_iter()
                .map(|mut r| {
                    let vals: Vec<(String, Value)> =
                        cols.iter().map(|(n, e)| (n.clone(), eval(e, &r))).collect();
                    if let Some(m) = r.as_object_mut() {
                        m.extend(vals);
                    }
                    r
                })
                .collect(),
            Op::Order(keys) => {
                // Each row's sort keys evaluated once, not once per comparison.
                let mut keyed: Vec<(Vec<Value>, Value)> = rows
                    .into_iter()
                    .map(|r| (keys.iter().map(|(e, _)| eval(e, &r)).collect(), r))
                    .collect();
                keyed.sort_by(|(a, _), (b, _)| {
                    for ((x, y), (_, asc)) in a.iter().zip(b).zip(keys) {
                        let o = compare(x, y).unwrap_or(Ordering::Equal);
                        let o = if *asc { o } else { o.reverse() };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    Ordering::Equal
                });
                keyed.into_iter().map(|(_, r)| r).collect()
            }
            Op::Limit(n) => rows.into_iter().take(*n).collect(),
            Op::Count => vec![json!({"Count": rows.len()})],
            Op::SummarizeCount { name, by } => {
                if by.is_empty() {
                    vec![json!({ name.clone(): rows.len() })]
                } else {
                    let mut groups: Vec<(Vec<Value>, usize)> = Vec::new();
                    for r in &rows {
                        let key: Vec<Value> = by.iter().map(|(_, e)| eval(e, r)).collect();
                        match groups.iter_mut().find(|(k, _)| *k == key) {
                            Some(g) => g.1 += 1,
                            None => groups.push((key, 1)),
                        }
                    }
                    groups
                        .into_iter()
                        .map(|(key, n)| {
                            let mut m = Map::new();
                            for ((col, _), v) in by.iter().zip(key) {
                                m.insert(col.clone(), v);
                            }
                            m.insert(name.clone(), json!(n));
                            Value::Object(m)
                        })
                        .collect()
                }
            }
        };
    }
    rows
}
