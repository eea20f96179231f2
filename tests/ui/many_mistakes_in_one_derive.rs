use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "credit check", name(ru = "Проверка"))]
struct CreditCheck {
    #[bizproc(rename = "Title")]
    heading: String,
    #[bizproc(rename = "score", rename = "rating")]
    score: i64,
}

fn main() {}
