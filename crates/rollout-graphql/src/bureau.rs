//! The `Bureau` type. Bureaus are read through the store's point reads and, when reached from a
//! procedure, through the batching bureau loader ([`crate::loaders`]).

use async_graphql::{Context, ID, Object};
use rollout_domain as domain;

use crate::connection::ProcedureConnection;
use crate::filter::{ProcedureFilterInput, ProcedureOrderInput, list_procedures};
use crate::ids::{NodeType, global_id};

/// A bureau (局) of the Tokyo Metropolitan Government, owner of procedures.
#[derive(Debug, Clone)]
pub struct Bureau(pub(crate) domain::Bureau);

#[Object]
impl Bureau {
    pub async fn id(&self) -> ID {
        global_id(NodeType::Bureau, self.0.id.as_uuid())
    }

    /// A short romanised code, e.g. "KANKYO".
    async fn code(&self) -> &str {
        self.0.code.as_str()
    }

    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }

    async fn name_en(&self) -> &str {
        &self.0.name_en
    }

    /// This bureau's procedures; `filter.bureauCodes` is replaced by this bureau.
    async fn procedures(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ProcedureFilterInput>,
        order_by: Option<ProcedureOrderInput>,
    ) -> async_graphql::Result<ProcedureConnection> {
        list_procedures(ctx, first, after, filter, order_by, Some(&self.0.code)).await
    }
}
