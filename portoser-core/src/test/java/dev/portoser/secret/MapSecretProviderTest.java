package dev.portoser.secret;

/** The contract for the in-memory provider. */
class MapSecretProviderTest extends SecretProviderContract {
    @Override
    protected SecretProvider provider() {
        return new MapSecretProvider(SECRETS);
    }
}
