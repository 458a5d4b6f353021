// Starts GraphiQL on the page served at GET /graphql. A separate file rather than an inline
// script so that the page's Content-Security-Policy can allow scripts from 'self' only.
(function () {
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      // Headers may carry a bearer token: never write them to localStorage.
      shouldPersistHeaders: false,
    })
  );
})();
