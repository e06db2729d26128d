using System.Security.Cryptography;
using System.Text;

namespace EventChat.Api.Auth;

/// <summary>
/// The server API's credential: a secret the app's backend sends in the <c>X-Api-Secret</c> header, never a user's token.
/// <c>ServerApi:Secret</c>, and during a rotation <c>ServerApi:PreviousSecret</c> too (docs/integrations.md#the-server-api).
/// Without a secret configured the server API refuses every call.
/// </summary>
public sealed class ServerApiSecret : IEndpointFilter
{
    public const string Header = "X-Api-Secret";
    public const string Section = "ServerApi";

    // Hashes, compared in fixed time: how long a comparison takes says nothing about how much of a guess was right.
    private readonly byte[][] _accepted;

    public ServerApiSecret(IConfiguration config)
    {
        string?[] secrets = [config[$"{Section}:Secret"], config[$"{Section}:PreviousSecret"]];
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)))
            if (Encoding.UTF8.GetByteCount(secret!) < JwtSettings.MinKeyBytes)
                throw new InvalidOperationException($"{Section}:Secret needs at least {JwtSettings.MinKeyBytes} bytes, e.g. `openssl rand -base64 48`.");
        _accepted = [.. secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => Hash(s!))];
    }

    public bool IsOn => _accepted.Length > 0;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!IsOn)
            return Refuse("The server API is off: set ServerApi__Secret to enable it.");
        var given = context.HttpContext.Request.Headers[Header].ToString();
        if (given.Length == 0 || !_accepted.Any(secret => CryptographicOperations.FixedTimeEquals(secret, Hash(given))))
            return Refuse($"Send the server API secret in the {Header} header.");
        return await next(context);
    }

    // The problem-details writer adds the contract's code ("unauthorized") from the status.
    private static IResult Refuse(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
