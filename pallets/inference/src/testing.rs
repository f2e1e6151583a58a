//! For other crates' test runtimes: the off-chain signing glue every mock that runs the inference pallet needs.

/// Implements, for the mock runtime `$runtime` (with `RuntimeCall` and `u64` accounts in scope), what signed
/// off-chain transactions need: `UintAuthorityId` keys (key `n` signs as account `n`), an `Extrinsic` type that
/// carries the signer and its nonce (no signature checks), and `TestOperatorId`, the operator key type for
/// `pallet_inference::Config::AuthorityId`.
#[macro_export]
macro_rules! impl_test_signing {
	($runtime:ty) => {
		impl frame_system::offchain::SigningTypes for $runtime {
			type Public = sp_runtime::testing::UintAuthorityId;
			type Signature = sp_runtime::testing::TestSignature;
		}

		/// The test extrinsic: signed by a `u64` account with its nonce, no signature checks.
		pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, frame_system::CheckNonce<$runtime>>;

		impl<C> frame_system::offchain::CreateTransactionBase<C> for $runtime
		where
			RuntimeCall: From<C>,
		{
			type Extrinsic = Extrinsic;
			type RuntimeCall = RuntimeCall;
		}

		impl<C> frame_system::offchain::CreateSignedTransaction<C> for $runtime
		where
			RuntimeCall: From<C>,
		{
			fn create_signed_transaction<A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>>(
				call: RuntimeCall,
				_public: sp_runtime::testing::UintAuthorityId,
				account: u64,
				nonce: <$runtime as frame_system::Config>::Nonce,
			) -> Option<Extrinsic> {
				Some(Extrinsic::new_signed(call, account, (), frame_system::CheckNonce::from(nonce)))
			}
		}

		/// Test operator keys: a key `UintAuthorityId(n)` is account `n`.
		pub struct TestOperatorId;
		impl frame_system::offchain::AppCrypto<sp_runtime::testing::UintAuthorityId, sp_runtime::testing::TestSignature>
			for TestOperatorId
		{
			type RuntimeAppPublic = sp_runtime::testing::UintAuthorityId;
			type GenericPublic = sp_runtime::testing::UintAuthorityId;
			type GenericSignature = sp_runtime::testing::TestSignature;
		}
	};
}
