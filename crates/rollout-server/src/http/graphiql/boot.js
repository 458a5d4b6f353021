// Starts GraphiQL on the page served at GET /graphql. A separate file rather than an inline
// script so that the page's Content-Security-Policy can allow scripts from 'self' only. The
// page's data attributes say where queries and subscriptions go and what the headers editor
// starts with.
(function () {
  var root = document.getElementById('graphiql');
  var wsScheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  var http = GraphiQL.createFetcher({
    url: root.getAttribute('data-endpoint'),
    // Subscriptions go over graphql-transport-ws; the headers editor's content becomes the
    // connection_init payload, which is where the server looks for the token.
    subscriptionUrl: wsScheme + '//' + window.location.host + root.getAttribute('data-subscription-path'),
  });
  var hint = 'Paste your API token after "Bearer " in the Headers tab below, then re-fetch ' +
    'the schema (the circular arrow on the left). rollout prints tokens once, when it makes ' +
    'them: `rollout serve --demo`, `rollout demo --users`, or ' +
    '`rollout token create --user <e-mail> --name <what it is for>`.';
  // Without a token every request would come back UNAUTHENTICATED; say what to do instead.
  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    var token = Object.keys(headers).filter(function (k) {
      return k.toLowerCase() === 'authorization';
    }).map(function (k) { return String(headers[k]); })[0] || '';
    if (!/^Bearer\s+\S/i.test(token)) {
      return Promise.resolve({ errors: [{ message: hint }] });
    }
    return http(params, options);
  }
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultHeaders: root.getAttribute('data-headers'),
      defaultQuery: root.getAttribute('data-query'),
      defaultEditorToolsVisibility: 'headers',
      // Headers may carry a bearer token: never write them to localStorage.
      shouldPersistHeaders: false,
    })
  );
})();
