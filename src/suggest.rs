//! "Did you mean …?": the nearest valid name to a mistyped one, for every
//! error that names a key, table, column, file or value (a leaf: config,
//! profiles, scorecard filters and commission all use it).

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a likely typo.
pub(crate) fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 2).max(2))
        .min()
        .map(|(_, c)| c)
}

/// "; did you mean `x`?" naming the nearest candidate, or nothing.
pub(crate) fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, candidates)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default()
}

/// Adds "did you mean `x`?" to a TOML error about an unknown key, using the
/// list of expected keys the error carries.
pub(crate) fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.trim_end().to_string();
    };
    let Some((unknown, after)) = rest.split_once('`') else {
        return message.trim_end().to_string();
    };
    let expected: Vec<&str> = after
        .split('\n')
        .next()
        .unwrap_or("")
        .split('`')
        .skip(1)
        .step_by(2)
        .collect();
    match nearest(unknown, expected.iter().copied()) {
        Some(n) => format!(
            "{}\ndid you mean `{n}` instead of `{unknown}`?",
            message.trim_end()
        ),
        None => message.trim_end().to_string(),
    }
}
