namespace EventChat.Application.Webhooks;

/// <summary><c>EventChat:Webhooks</c> (docs/operations.md#webhooks).</summary>
public sealed class WebhookOptions
{
    public const string Section = "EventChat:Webhooks";

    /// <summary>
    /// Deliver to private, loopback and link-local addresses too. Off, so that a webhook cannot be used to probe or reach
    /// the network EventChat runs in; an operator whose receivers are on that network turns it on.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long one delivery is retried before it is parked.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The wait after the first failure; each later one doubles it, up to <see cref="MaxRetryInterval"/>.</summary>
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a receiver has to answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A push request waits this long for more messages to the same person in the same conversation, and goes as one.</summary>
    public TimeSpan PushWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Put the start of the message's text in push requests. Off for apps whose content must not leave EventChat.</summary>
    public bool PushPreview { get; set; } = true;

    public const int PreviewLength = 120;

    /// <summary>
    /// When a delivery that failed <paramref name="attempts"/> times, first tried at <paramref name="firstTried"/>, is
    /// tried again; null once <see cref="RetryFor"/> has passed and it should be parked.
    /// </summary>
    public DateTimeOffset? RetryAt(int attempts, DateTimeOffset firstTried, DateTimeOffset now)
    {
        if (now - firstTried >= RetryFor)
            return null;
        var wait = FirstRetryAfter * Math.Pow(2, Math.Min(attempts - 1, 30));
        return now + (wait < MaxRetryInterval ? wait : MaxRetryInterval);
    }
}
