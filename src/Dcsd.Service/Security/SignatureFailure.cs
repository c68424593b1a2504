namespace Dcsd.Service.Security;

/// <summary>Why an AK/SK-signed request was refused. Logged; never sent to the client beyond the DCS 401 code it maps to.</summary>
internal enum SignatureFailure
{
    None = 0,

    /// <summary>The Authorization header, the signature hex or the X-Sdk-Date value cannot be parsed.</summary>
    Malformed,

    /// <summary>No credential has the access key.</summary>
    UnknownAccessKey,

    /// <summary>The recomputed signature differs: wrong secret, or the request was altered.</summary>
    SignatureMismatch,

    /// <summary>X-Sdk-Date is further from now than the allowed clock skew.</summary>
    Stale,

    /// <summary>X-Sdk-Date is absent or not among the signed headers (an unsigned date would make the freshness check worthless).</summary>
    MissingDate,

    /// <summary>The credential's project, or X-Project-Id, is not the project in the path.</summary>
    ProjectMismatch,
}
