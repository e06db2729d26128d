using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>A small real HTTP server on a free loopback port, for what EventChat calls out to (a JWKS, a webhook receiver).</summary>
public static class LocalHttpServer
{
    public static async Task<WebApplication> Start(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }
}
