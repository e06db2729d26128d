using System.Text.Json;
using EventChat.Application;
using EventChat.Domain;
using FluentValidation;

namespace EventChat.Api.Errors;

/// <summary>
/// The one mapping from a failure to what a client sees, used by both REST (problem details)
/// and the hub (<c>error</c> event). Anything unexpected becomes a generic message, never a stack trace.
/// </summary>
public sealed record ApiError(int Status, string Code, string Message, IDictionary<string, string[]>? Fields = null)
{
    /// <summary>For <c>rate_limited</c>: when to try again. Message budgets refill every second; a login lockout says how long it has left.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    public const string UnexpectedMessage = "Something went wrong on our side. Please try again.";

    public bool IsUnexpected => Code == "internal";

    public static ApiError From(Exception exception) => exception switch
    {
        ValidationException v => new(400, "validation", "Some fields are invalid: " + string.Join(" ", v.Errors.Select(e => e.ErrorMessage).Distinct()),
            v.Errors.GroupBy(e => CamelCase(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray())),
        DomainException d => d.Error switch
        {
            DomainError.Invalid => new(400, "validation", d.Message),
            DomainError.NotFound => new(404, "not_found", d.Message),
            DomainError.Forbidden => new(403, "forbidden", d.Message),
            DomainError.Conflict => new(409, "conflict", d.Message),
            DomainError.Unauthenticated => new(401, "unauthorized", d.Message),
            DomainError.RateLimited => new(429, "rate_limited", d.Message) { RetryAfter = d.RetryAfter ?? TimeSpan.FromSeconds(1) },
            _ => Unexpected,
        },
        _ when DatabaseOutage.Caused(exception) => Unavailable,
        BadHttpRequestException { InnerException: JsonException { Path: { Length: > 2 } path } } b => WrongType(b.StatusCode, path[2..]),
        BadHttpRequestException b => new(b.StatusCode, "validation", "The request could not be read: check its JSON and parameters."),
        _ => Unexpected,
    };

    /// <summary>A JSON field of the wrong type or format, named as the hub names it (<c>HubPayload</c>).</summary>
    public static ApiError WrongType(int status, string field) =>
        new(status, "validation", "Some fields are invalid: " + WrongTypeMessage(field), new Dictionary<string, string[]> { [field] = [WrongTypeMessage(field)] });

    public static string WrongTypeMessage(string field) => $"'{field}' has the wrong type or format.";

    private static readonly ApiError Unexpected = new(500, "internal", UnexpectedMessage);

    public const string UnavailableMessage = "EventChat cannot reach its database right now. Please try again in a few seconds.";

    private static readonly ApiError Unavailable = new(503, "unavailable", UnavailableMessage);


    /// <summary>The contract's code for a status, for problem responses the framework writes itself.</summary>
    public static string CodeFor(int status) => status switch
    {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "internal",
        _ => "validation",
    };

    // FluentValidation names properties as C# does ("Items[0].Id"); clients know them camelCased.
    private static string CamelCase(string name) =>
        string.Join('.', name.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
