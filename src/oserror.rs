//! Operating-system errors in Russian. `std::io::Error` displays the system's English text
//! («No such file or directory (os error 2)»); messages for the user say what happened in
//! Russian and what to do.

use std::io::{Error, ErrorKind};

/// A short Russian description of an I/O error, with what to do where there is something.
pub fn describe(e: &Error) -> String {
    match e.kind() {
        ErrorKind::NotFound => "файл или папка не найдены: проверьте путь".into(),
        ErrorKind::PermissionDenied => {
            "нет доступа: проверьте права на файл или папку; файл может быть открыт в другой \
             программе"
                .into()
        }
        ErrorKind::AlreadyExists => "файл уже существует".into(),
        ErrorKind::IsADirectory => "это папка, а нужен файл".into(),
        ErrorKind::NotADirectory => "в пути есть файл там, где нужна папка".into(),
        ErrorKind::StorageFull => "на диске нет места: освободите место и повторите".into(),
        ErrorKind::ReadOnlyFilesystem => "диск доступен только для чтения".into(),
        ErrorKind::InvalidData => {
            "файл не в кодировке UTF-8: сохраните его в UTF-8 (в Блокноте — «Сохранить как», \
             кодировка UTF-8)"
                .into()
        }
        ErrorKind::BrokenPipe => "вывод прерван".into(),
        ErrorKind::Interrupted => "операция прервана".into(),
        ErrorKind::FileTooLarge => "файл слишком большой".into(),
        ErrorKind::InvalidFilename => "недопустимое имя файла".into(),
        _ => match e.raw_os_error() {
            Some(code) => format!("ошибка операционной системы (код {code})"),
            None => "ошибка ввода-вывода".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_errors_are_russian() {
        let e = std::fs::read("/nonexistent/profplan-test").unwrap_err();
        assert_eq!(describe(&e), "файл или папка не найдены: проверьте путь");
        assert!(!describe(&Error::other("x")).contains("x"));
    }
}
