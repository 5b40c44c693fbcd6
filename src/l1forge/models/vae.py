"""Training a VAE: sampled latent, masked reconstruction loss plus beta times the KL term.

loss = masked MSE(x, decoder(z)) + beta * KL, with z = mu + sigma * eps and
KL = 1/2 sum_latent (mu^2 + sigma^2 - 1 - log sigma^2) (per event, averaged over the batch).
The reconstruction term is the same masked mean squared error the autoencoders train on.
"""

from __future__ import annotations

from l1forge.models.autoencoder import VAEParts


def kl_divergence(z_mean, z_log_var):
    """Per-event KL divergence of N(mu, sigma^2) from N(0, 1) (TensorFlow tensors)."""
    import tensorflow as tf

    return 0.5 * tf.reduce_sum(tf.square(z_mean) + tf.exp(z_log_var) - 1.0 - z_log_var, axis=-1)


def make_trainer(parts: VAEParts, beta: float, reconstruction_loss, seed: int):
    """A Keras model whose fit() trains the VAE parts (their layers are shared)."""
    import tensorflow as tf

    class VAETrainer(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.parts = parts
            self.noise = tf.random.Generator.from_seed(seed)
            self.tracker = {name: tf.keras.metrics.Mean(name=name)
                            for name in ("loss", "reconstruction", "kl")}

        @property
        def metrics(self):
            return list(self.tracker.values())

        def _loss_terms(self, x, training: bool):
            z_mean, z_log_var = self.parts.encoder(x, training=training)
            if training:
                eps = self.noise.normal(tf.shape(z_mean))
                z = z_mean + tf.exp(0.5 * z_log_var) * eps
            else:
                z = z_mean
            reconstruction = self.parts.decoder(z, training=training)
            reco = tf.reduce_mean(reconstruction_loss(x, reconstruction))
            kl = tf.reduce_mean(kl_divergence(z_mean, z_log_var))
            regularization = tf.add_n(self.parts.network.losses) if self.parts.network.losses else 0.0
            return reco + beta * kl + regularization, reco, kl

        def _record(self, values):
            for name, value in zip(("loss", "reconstruction", "kl"), values):
                self.tracker[name].update_state(value)
            return {name: metric.result() for name, metric in self.tracker.items()}

        def train_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            with tf.GradientTape() as tape:
                values = self._loss_terms(x, training=True)
            weights = self.parts.network.trainable_weights
            self.optimizer.apply_gradients(zip(tape.gradient(values[0], weights), weights))
            return self._record(values)

        def test_step(self, data):
            x = data[0] if isinstance(data, tuple) else data
            return self._record(self._loss_terms(x, training=False))

        def call(self, x, training=False):
            return self.parts.network(x, training=training)

    return VAETrainer()
