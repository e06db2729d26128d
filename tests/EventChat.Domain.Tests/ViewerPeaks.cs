using EventChat.Domain.Streams;

namespace EventChat.Domain.Tests;

public sealed class ViewerPeaks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly Guid Host = Guid.Parse("0199b000-0000-7000-8000-000000000001");
    private static readonly LiveSession Live = LiveSession.Create(LiveSession.Start(Guid.CreateVersion7(), Host, "Launch", Now));

    [Fact]
    public void A_count_above_the_peak_is_recorded_and_advances_the_stream()
    {
        var peak = Live.ReachViewers(3, Now);

        Assert.Equal(new StreamViewerPeakReached(Live.Id, 3, Now), peak);
        var after = Live.Apply(peak!);
        Assert.Equal(3, after.PeakViewers);
        Assert.Equal(Live.LastSequence + 1, after.LastSequence);
    }

    [Fact]
    public void A_count_at_or_below_the_peak_records_nothing()
    {
        var session = Live.Apply(new StreamViewerPeakReached(Live.Id, 3, Now));

        Assert.Null(session.ReachViewers(3, Now));
        Assert.Null(session.ReachViewers(2, Now));
    }

    [Fact]
    public void An_ended_session_records_no_peak()
    {
        var ended = Live.Apply(new LiveSessionEnded(Live.Id, Host, Now));

        Assert.Null(ended.ReachViewers(10, Now));
    }
}
