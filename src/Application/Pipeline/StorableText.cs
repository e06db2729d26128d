using System.Linq.Expressions;
using System.Reflection;
using FluentValidation.Results;

namespace EventChat.Application.Pipeline;

/// <summary>
/// The one rule for every text the server accepts: PostgreSQL refuses U+0000 in <c>text</c> and <c>jsonb</c>
/// (SqlState 22021), and an unpaired UTF-16 surrogate has no UTF-8 form, so it could only be stored as
/// something other than what was sent. <see cref="ValidationBehavior{TMessage, TResponse}"/> applies it to every
/// message, so no use case has to remember it; text that reaches the server another way calls <see cref="IsStorable"/>.
/// </summary>
public static class StorableText
{
    public const string Rule = "must not contain U+0000 (NUL) or an unpaired UTF-16 surrogate";

    public static bool IsStorable(string? text)
    {
        if (text is null)
            return true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c))
                return false;
            if (char.IsHighSurrogate(c) && (++i >= text.Length || !char.IsLowSurrogate(text[i])))
                return false;
        }
        return true;
    }

    /// <summary>A failure in FluentValidation's shape, so it reaches clients as every other field error does.</summary>
    public static ValidationFailure Failure(string propertyName) =>
        new(propertyName, $"'{DisplayName(propertyName)}' {Rule}.");

    /// <summary>Every text of <paramref name="message"/> that breaks the rule: its string properties, and each string of its string collections.</summary>
    public static IEnumerable<ValidationFailure> Failures<TMessage>(TMessage message) => TextsOf<TMessage>.Failures(message);

    private static string DisplayName(string propertyName) => char.ToLowerInvariant(propertyName[0]) + propertyName[1..];

    // Found once per message type, then read through compiled getters: the pipeline runs this on every send.
    private static class TextsOf<TMessage>
    {
        private static readonly (string Name, Func<TMessage, string?> Read)[] Strings = [.. Properties(typeof(string)).Select(p => (p.Name, Getter<string?>(p)))];

        private static readonly (string Name, Func<TMessage, IEnumerable<string?>?> Read)[] Collections =
            [.. Properties(typeof(IEnumerable<string>)).Where(p => p.PropertyType != typeof(string)).Select(p => (p.Name, Getter<IEnumerable<string?>?>(p)))];

        public static IEnumerable<ValidationFailure> Failures(TMessage message)
        {
            foreach (var (name, read) in Strings)
                if (!IsStorable(read(message)))
                    yield return Failure(name);
            foreach (var (name, read) in Collections)
                foreach (var (text, index) in (read(message) ?? []).Select((text, index) => (text, index)))
                    if (!IsStorable(text))
                        yield return Failure($"{name}[{index}]");
        }

        private static IEnumerable<PropertyInfo> Properties(Type assignableTo) =>
            typeof(TMessage).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.PropertyType.IsAssignableTo(assignableTo));

        private static Func<TMessage, T> Getter<T>(PropertyInfo property)
        {
            var message = Expression.Parameter(typeof(TMessage));
            return Expression.Lambda<Func<TMessage, T>>(Expression.Convert(Expression.Property(message, property), typeof(T)), message).Compile();
        }
    }
}
