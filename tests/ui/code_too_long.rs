use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(
    code = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    name = "Long"
)]
struct Long {
    score: i64,
}

fn main() {}
