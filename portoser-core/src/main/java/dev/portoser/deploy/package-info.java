/**
 * What "deploy" means for each service type: the {@link dev.portoser.deploy.Deployer} SPI and
 * {@link dev.portoser.deploy.LocalProcessDeployer} for {@code type: local}.
 */
@NullMarked
package dev.portoser.deploy;

import org.jspecify.annotations.NullMarked;
