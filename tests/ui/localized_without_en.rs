use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "credit_check", name(ru = "Проверка", de = "Prüfung"))]
struct CreditCheck {
    score: i64,
}

fn main() {}
