using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// The app's own identity provider, as a real server on a local port: it publishes its RSA signing keys as a JWKS at
/// <c>/jwks</c>, can publish a new key (a rotation), and signs tokens for the app's users. Beside it, an issuer that signs
/// with a secret shared with EventChat (HS256). The shared test server trusts both (<see cref="Settings"/>).
/// </summary>
public sealed class TestIssuer
{
    public const string JwksIssuer = "https://id.app.example/";
    public const string SharedSecretIssuer = "https://backend.app.example/";
    public const string Audience = "eventchat-tests";
    public const string SharedSecret = "a-secret-the-app-backend-shares-with-eventchat-0123456789";

    private static readonly Lazy<Task<TestIssuer>> Shared = new(StartAsync);
    public static Task<TestIssuer> Instance => Shared.Value;

    private readonly ConcurrentDictionary<string, RsaSecurityKey> _published = new();
    private readonly RsaSecurityKey _first;
    private int _fetches;

    public Uri JwksUrl { get; }

    /// <summary>How many times the key set has been fetched.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    private TestIssuer(WebApplication app)
    {
        JwksUrl = new Uri(new Uri(app.Urls.First()), "/jwks");
        _first = Publish();
    }

    /// <summary>What EventChat needs to trust both issuers.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Auth:Issuers:0:Issuer"] = JwksIssuer,
        ["Auth:Issuers:0:Audience"] = Audience,
        ["Auth:Issuers:0:JwksUrl"] = JwksUrl.ToString(),
        ["Auth:Issuers:0:RequireHttps"] = "false",
        // A test's new key is fetched at once, however recently another test caused a fetch.
        ["Auth:Issuers:0:JwksMinimumRefresh"] = "00:00:00",
        ["Auth:Issuers:1:Issuer"] = SharedSecretIssuer,
        ["Auth:Issuers:1:Audience"] = Audience,
        ["Auth:Issuers:1:SharedSecret"] = SharedSecret,
    };

    /// <summary>A new key in the published set, as an issuer's rotation adds one.</summary>
    public RsaSecurityKey Publish()
    {
        var key = Unpublished();
        _published[key.KeyId] = key;
        return key;
    }

    /// <summary>A key of the right kind that the issuer never published: what a forger would sign with.</summary>
    public static RsaSecurityKey Unpublished() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    /// <summary>A token for the app's user <paramref name="subject"/>, signed with the issuer's first key unless told otherwise.</summary>
    public string Token(string subject, string? name = null, string? picture = null, RsaSecurityKey? key = null, string issuer = JwksIssuer,
        string audience = Audience, TimeSpan? lifetime = null, IEnumerable<Claim>? more = null) =>
        Sign(subject, name, picture, issuer, audience, lifetime, more, new SigningCredentials(key ?? _first, SecurityAlgorithms.RsaSha256));

    /// <summary>A token from the backend issuer, signed with the shared secret (HS256).</summary>
    public static string SharedSecretToken(string subject, string? name = null) =>
        Sign(subject, name, null, SharedSecretIssuer, Audience, null, null,
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SharedSecret)), SecurityAlgorithms.HmacSha256));

    private static string Sign(string subject, string? name, string? picture, string issuer, string audience, TimeSpan? lifetime,
        IEnumerable<Claim>? more, SigningCredentials credentials)
    {
        var now = DateTime.UtcNow;
        List<Claim> claims = [new("sub", subject)];
        if (name is not null)
            claims.Add(new("name", name));
        if (picture is not null)
            claims.Add(new("picture", picture));
        claims.AddRange(more ?? []);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(10)),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = credentials,
        });
    }

    private string KeySet() =>
        $$"""{"keys":[{{string.Join(",", _published.Values.Select(Jwk))}}]}""";

    private static string Jwk(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return $$"""{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{key.KeyId}}","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}""";
    }

    private static async Task<TestIssuer> StartAsync()
    {
        TestIssuer? issuer = null;
        var app = await LocalHttpServer.Start(app => app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref issuer!._fetches);
            return Results.Text(issuer.KeySet(), "application/json");
        }));
        issuer = new TestIssuer(app);
        return issuer;
    }
}
