using EventChat.Domain;
using FluentValidation;

namespace EventChat.Application.Analytics;

/// <summary>
/// A range of UTC days, both ends inclusive, as every analytics query takes it: without <see cref="To"/> it ends today
/// (UTC), without <see cref="From"/> it is the <see cref="DayRange.DefaultDays"/> days that end on To, and it spans at
/// most <see cref="DayRange.MaxDays"/> days.
/// </summary>
public interface IDayRange
{
    DateOnly? From { get; }

    DateOnly? To { get; }
}

public static class DayRange
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    public static readonly string TooLong = $"Ask for at most {MaxDays} days at a time.";

    /// <summary>The days asked for, both ends filled in. A range that runs backwards or is too long is invalid.</summary>
    public static (DateOnly From, DateOnly To) Days(this IDayRange range, TimeProvider clock)
    {
        var to = range.To ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var from = range.From ?? to.AddDays(1 - DefaultDays);
        if (from > to)
            throw new DomainException(DomainError.Invalid, "'from' must not be after 'to' (which is today unless given).");
        if (to.DayNumber - from.DayNumber >= MaxDays)
            throw new DomainException(DomainError.Invalid, TooLong);
        return (from, to);
    }

    /// <summary>The first instant of <paramref name="day"/>, UTC.</summary>
    public static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}

/// <summary>
/// A range given with both ends, checked before the handler runs so that the problem names the field
/// (<see cref="DayRange.Days"/> checks again once today fills in a missing end). Each analytics query's validator
/// includes it.
/// </summary>
public sealed class DayRangeValidator : AbstractValidator<IDayRange>
{
    public DayRangeValidator() =>
        When(q => q is { From: not null, To: not null }, () =>
        {
            RuleFor(q => q.To).GreaterThanOrEqualTo(q => q.From).WithMessage("'to' must not be before 'from'.");
            RuleFor(q => q.To)
                .Must((q, to) => to!.Value.DayNumber - q.From!.Value.DayNumber < DayRange.MaxDays)
                .WithMessage(DayRange.TooLong);
        });
}
