use bizproc::BizprocReturn;

#[derive(BizprocReturn)]
#[bizproc(code = "summary", name = "Summary")]
struct Summary {
    #[bizproc(rename = "Title")]
    heading: String,
}

fn main() {}
