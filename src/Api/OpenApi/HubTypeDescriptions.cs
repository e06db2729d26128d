using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace EventChat.Api.OpenApi;

/// <summary>
/// Describes each type the hub carries (<see cref="HubContract.Types"/>) to the API explorer as the answer of a
/// pseudo-operation that no route serves. The OpenAPI generator then gives the hub's types named schemas exactly as it
/// does REST's, with references to the shared ones (a message inside an event is the REST <c>Message</c>), which its
/// one-off schema API does not; <see cref="ContractSchemas"/> drops the pseudo-operations from the document.
/// </summary>
public sealed class HubTypeDescriptions : IApiDescriptionProvider
{
    public const string PathPrefix = "/hub-types/";
    public const string Tag = "hub-types";

    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        foreach (var type in HubContract.Types)
        {
            var description = new ApiDescription
            {
                HttpMethod = "GET",
                RelativePath = PathPrefix.TrimStart('/') + ContractSchemas.SchemaId(type),
                ActionDescriptor = new ActionDescriptor { EndpointMetadata = [new TagsAttribute(Tag)] },
            };
            description.SupportedResponseTypes.Add(new ApiResponseType
            {
                Type = type,
                StatusCode = StatusCodes.Status200OK,
                ApiResponseFormats = [new ApiResponseFormat { MediaType = "application/json" }],
            });
            context.Results.Add(description);
        }
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
    }
}
