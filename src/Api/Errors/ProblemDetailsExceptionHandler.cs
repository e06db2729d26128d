using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace EventChat.Api.Errors;

/// <summary>Turns any exception escaping an endpoint into RFC 7807 problem details.</summary>
public sealed class ProblemDetailsExceptionHandler(ILogger<ProblemDetailsExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var error = ApiError.From(exception);
        if (error.IsUnexpected)
            log.LogError(exception, "unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        return await Write(http, error, exception);
    }

    /// <summary>Answers <paramref name="error"/> as the contract's problem details, also where no exception is thrown (a rate limiter's refusal).</summary>
    public static ValueTask<bool> Write(HttpContext http, ApiError error, Exception? exception = null)
    {
        ProblemDetails problem = error.Fields is { } fields
            ? new HttpValidationProblemDetails(fields) { Title = "One or more fields are invalid." }
            : new ProblemDetails { Title = error.Message };
        problem.Status = error.Status;
        problem.Detail = error.Message;
        problem.Extensions["code"] = error.Code;
        http.Response.StatusCode = error.Status;
        // Telling clients when to come back keeps well-behaved ones from hammering. Whole seconds, rounded up, at least 1.
        if (error.Status == StatusCodes.Status429TooManyRequests)
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(error.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        else if (error.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = "2";
        return http.RequestServices.GetRequiredService<IProblemDetailsService>()
            .TryWriteAsync(new() { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }
}
