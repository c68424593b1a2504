namespace Dcsd.Service.Security;

/// <summary>What a presented token stands for, as the store found it (expired tokens are returned too, so callers can tell "expired" from "unknown").</summary>
internal sealed record TokenGrant(string ProjectId, string AccessKey, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);
