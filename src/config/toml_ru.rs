//! TOML syntax errors in Russian. The toml crate's messages are English parser text
//! («missing escaped value, expected `b`, `e`…»); the settings file and plan files are
//! edited by hand in Notepad, so each message says what is wrong and how to write it.
//! The caller adds the file and the line.

/// A Russian message for a toml (or serde) message about a file whose keys are `keys`
/// (named when a key is unknown; empty: not named); a general one when not recognised.
pub fn message(msg: &str, keys: &[&str]) -> String {
    let m = msg.trim();
    if let Some(rest) = m.strip_prefix("unknown field") {
        if keys.is_empty() {
            return format!("неизвестный ключ{rest}");
        }
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("неизвестный ключ {key}; допустимые ключи: {}", keys.join(", "));
    }
    if let Some(rest) = m.strip_prefix("missing field") {
        return format!("не хватает обязательного ключа{rest}");
    }
    if let Some(rest) = m.strip_prefix("unknown variant") {
        return format!("недопустимое значение{rest}");
    }
    if let Some(rest) = m.strip_prefix("duplicate key") {
        return format!("ключ{rest} указан дважды: оставьте одну строку с ним");
    }
    let has = |s: &str| m.contains(s);
    if has("escaped value") || has("invalid escape") || has("unicode") && has("escape") {
        return "в строке в двойных кавычках обратная косая черта «\\» начинает спецсимвол. \
                Путь Windows запишите в одинарных кавычках: 'D:\\Отдел\\schools.csv', или с \
                прямыми косыми чертами: \"D:/Отдел/schools.csv\""
            .into();
    }
    if has("string") && (has("invalid") || has("unclosed") || has("unterminated")) {
        return "не закрыта кавычка: значение пишется в кавычках на одной строке, например \
                schools = \"schools.csv\""
            .into();
    }
    if has("must be quoted") {
        return "значение нужно взять в кавычки, например schools = \"schools.csv\"".into();
    }
    if has("expected `=`") || has("key with no value") {
        return "после имени ключа нужны знак «=» и значение, например \
                schools = \"schools.csv\""
            .into();
    }
    if has("table") && (has("unclosed") || has("invalid")) {
        return "не закрыта квадратная скобка в заголовке раздела «[…]»".into();
    }
    if has("date") || has("time") {
        return "неверная дата: пишите её в кавычках в виде \"ГГГГ-ММ-ДД\", например \
                \"2025-12-20\""
            .into();
    }
    if m.starts_with("invalid type") {
        return "значение должно быть текстом в кавычках, например forms = \"forms\"".into();
    }
    "строка записана не по правилам TOML: пишите ключ = \"значение\", например \
     schools = \"schools.csv\"; пояснения начинайте со знака «#»"
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> String {
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        message(e.message(), &[])
    }

    #[test]
    fn common_mistakes_are_explained_in_russian() {
        assert!(
            parse_error("schools = \"D:\\Отдел\\schools.csv\"\n").contains("одинарных кавычках")
        );
        assert!(parse_error("schools = \"a.csv\n").contains("не закрыта кавычка"));
        assert!(parse_error("schools \"a.csv\"\n").contains("знак «=»"));
        assert!(parse_error("schools = a.csv\n").contains("в кавычки"));
        assert!(parse_error("[x\n").contains("квадратная скобка"));
        assert!(parse_error("campaign = 2025-13-01\n").contains("неверная дата"));
        assert!(parse_error("a = 1\na = 2\n").contains("дважды"));
    }
}
