//! The tables of recognised columns and values in docs/inputs.md are generated from `src/ingest/aliases.toml`, the one
//! source of the column map: this test fails when they differ, and `KEFU_BLESS=1 cargo test --release readme`
//! rewrites them.

const START: &str = "<!-- aliases:start -->\n";
const END: &str = "<!-- aliases:end -->";

#[test]
fn readme_lists_the_aliases_kefu_reads_in_docs_inputs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/inputs.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (a, b) = (readme.find(START).expect("start marker") + START.len(), readme.find(END).expect("end marker"));
    let want = kefu::ingest::columns::readme_section();
    if readme[a..b] != want {
        if std::env::var("KEFU_BLESS").as_deref() == Ok("1") {
            std::fs::write(&path, format!("{}{want}{}", &readme[..a], &readme[b..])).unwrap();
        } else {
            panic!(
                "docs/inputs.md's column tables differ from src/ingest/aliases.toml: run KEFU_BLESS=1 cargo test --release readme"
            );
        }
    }
}
