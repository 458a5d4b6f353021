//! Contract cases for search folding: whatever width or case a procedure was written in and the
//! term is typed in, they match, whichever write stored the procedure (create, update, bulk
//! load). The folding itself is the domain's (`fold_for_search`); these cases check that every
//! write keeps the stored folded text current and that the listing compares folded forms.

use std::sync::Arc;

use rollout_domain::ProcedurePatch;

use super::fixtures::{at, audit, procedure, seed_bureau, seed_procedure, seed_with_history};
use super::listing::{matching, search};
use crate::Store;

/// Full-width and half-width forms, and upper and lower case, find each other, for procedures
/// created, bulk-loaded and renamed.
pub async fn list_search_folds_widths(store: Arc<dyn Store>) {
    let b = seed_bureau(&store, "KANKYO").await;
    let mut created = procedure("KANKYO-0012", b.id, at(0, 0));
    created.name = "シンセイ手続".to_owned();
    created.name_en = Some("Permit Application".to_owned());
    let created = seed_procedure(&store, created).await;
    let mut loaded = procedure("KANKYO-0013", b.id, at(1, 0));
    loaded.name = "ｶﾞｲｺｸｼﾞﾝ登録".to_owned();
    store
        .insert_procedures(
            &[seed_with_history(loaded, 0)],
            &audit("procedure.import", "Import", "batch", at(0, 0)),
        )
        .await
        .unwrap();

    for term in [
        "ＫＡＮＫＹＯ-００１２",
        "kankyo-0012",
        "ｼﾝｾｲ",
        "ＰＥＲＭＩＴ",
        "permit app",
    ] {
        assert_eq!(
            matching(&store, &search(term)).await,
            ["KANKYO-0012"],
            "{term}"
        );
    }
    for term in ["ガイコクジン", "ｶﾞｲｺｸ", "ｼﾞﾝ登録"] {
        assert_eq!(
            matching(&store, &search(term)).await,
            ["KANKYO-0013"],
            "{term}"
        );
    }
    // Width and case are folded; hiragana and katakana are different words, not forms.
    assert!(matching(&store, &search("がいこく")).await.is_empty());
    // A term never matches across two fields (code and name are stored apart).
    assert!(matching(&store, &search("0012シンセイ")).await.is_empty());

    let rename = ProcedurePatch {
        name: Some("ﾊｲｷﾌﾞﾂ許可".to_owned()),
        ..ProcedurePatch::default()
    };
    store
        .update_procedure(
            created.id,
            created.version,
            &rename,
            at(2, 0),
            &audit("procedure.update", "Procedure", created.id, at(2, 0)),
        )
        .await
        .unwrap();
    assert_eq!(
        matching(&store, &search("ハイキブツ")).await,
        ["KANKYO-0012"]
    );
    assert!(matching(&store, &search("シンセイ")).await.is_empty());
    // The English name is untouched by the rename and still found.
    assert_eq!(matching(&store, &search("permit")).await, ["KANKYO-0012"]);
}
