namespace EventChat.Api.OpenApi;

/// <summary>
/// Declares an endpoint's error answers for the OpenAPI document: RFC 7807 problem details
/// (<c>application/problem+json</c>, with the contract's <c>code</c>), and for 400 a validation problem whose
/// <c>errors</c> lists the failed fields. They only describe; <see cref="Errors.ApiError"/> decides what is sent.
/// </summary>
public static class ProblemResponses
{
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        foreach (var status in statuses)
            _ = status == StatusCodes.Status400BadRequest ? endpoint.ProducesValidationProblem() : endpoint.ProducesProblem(status);
        return endpoint;
    }

    public static RouteGroupBuilder ProducesProblems(this RouteGroupBuilder group, params int[] statuses)
    {
        foreach (var status in statuses)
            _ = status == StatusCodes.Status400BadRequest ? group.ProducesValidationProblem() : group.ProducesProblem(status);
        return group;
    }
}
