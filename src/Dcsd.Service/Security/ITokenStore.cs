namespace Dcsd.Service.Security;

/// <summary>Issues and resolves X-Auth-Token values.</summary>
internal interface ITokenStore
{
    Task<IssuedToken> IssueAsync(string projectId, string accessKey, CancellationToken cancellationToken);

    /// <returns>The grant behind <paramref name="token"/>, expired or not; null when the token was never issued (or was purged).</returns>
    Task<TokenGrant?> FindAsync(string token, CancellationToken cancellationToken);
}
