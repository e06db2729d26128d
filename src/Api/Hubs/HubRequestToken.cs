using Microsoft.Net.Http.Headers;

namespace EventChat.Api.Hubs;

/// <summary>
/// A hub connection's HTTP request stays alive as long as the connection (a WebSocket can stay open for hours),
/// and with it the token the client sent, in the <c>Authorization</c> header or in <c>?access_token=</c>. Once
/// the request is authenticated and authorised nothing reads the token again: the connection keeps the principal,
/// whose <c>exp</c> claim <see cref="TokenExpiry"/> reads. So the request
/// forgets it before SignalR takes the connection over, about 1 KB less per idle connection (docs/performance.md).
/// </summary>
public static class HubRequestToken
{
    private const string QueryKey = "access_token";

    /// <summary>Goes after authentication and authorisation, so that the token has been checked when it is dropped.</summary>
    public static IApplicationBuilder UseHubRequestsForgetTheirToken(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Path.StartsWithSegments(ChatHub.Path))
            Forget(http.Request);
        return next(http);
    });

    private static void Forget(HttpRequest request)
    {
        request.Headers.Remove(HeaderNames.Authorization);
        // The query keeps what SignalR reads itself (the connection's "id" after a negotiate).
        if (request.Query.ContainsKey(QueryKey))
            request.Query = new QueryCollection(request.Query.Where(pair => pair.Key != QueryKey)
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase));
    }
}
