use bizproc::BizprocProperties;

#[derive(BizprocProperties)]
struct Input {
    #[bizproc(rename = "inn", rename = "taxId")]
    inn: String,
}

fn main() {}
