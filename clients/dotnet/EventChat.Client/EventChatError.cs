namespace EventChat.Client;

/// <summary>
/// Why the server refused a call, REST or hub alike, so an app switches on <see cref="Code"/> (<c>validation</c>,
/// <c>not_found</c>, <c>forbidden</c>, <c>conflict</c>, <c>rate_limited</c>, <c>unavailable</c>, <c>internal</c>, …)
/// and never on text. <see cref="Exception.Message"/> is safe to show a user.
/// </summary>
public sealed class EventChatError : Exception
{
    /// <summary>The code when the server named none (a REST answer with an empty body is coded from its status).</summary>
    public const string UnknownCode = "unknown";

    public EventChatError(string code, string message, int? status = null, string? method = null,
        IReadOnlyDictionary<string, string[]>? errors = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Status = status;
        Method = method;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>The contract's error code (docs/api.md, "Errors on REST").</summary>
    public string Code { get; }

    /// <summary>The HTTP status of a REST call; null for the hub.</summary>
    public int? Status { get; }

    /// <summary>The hub method that failed (<c>sendMessage</c>, …, or <c>connect</c> for the connection itself); null for REST.</summary>
    public string? Method { get; }

    /// <summary>For <c>validation</c> on REST: the messages per camelCase field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>For <c>rate_limited</c> and <c>unavailable</c> on REST: when to try again.</summary>
    public TimeSpan? RetryAfter { get; }
}
