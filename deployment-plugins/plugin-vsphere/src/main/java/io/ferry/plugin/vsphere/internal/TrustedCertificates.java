package io.ferry.plugin.vsphere.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context of a vSphere account: the JDK's trusted roots, plus the certificates of the
 * {@code trustedCertificate} setting when one is given. Certificates and host names are always
 * verified; there is no trust-all mode.
 */
final class TrustedCertificates {

  private TrustedCertificates() {}

  static SSLContext sslContext(String pem) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      if (pem == null) {
        context.init(null, null, null);
        return context;
      }
      X509TrustManager system = trustManager(null);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int index = 0;
      for (Certificate certificate : parse(pem)) {
        store.setCertificateEntry("trusted-" + index++, certificate);
      }
      X509TrustManager extra = trustManager(store);
      context.init(null, new TrustManager[] {new EitherTrustManager(system, extra)}, null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "vSphere setting 'trustedCertificate' cannot be used: " + e.getMessage(), e);
    }
  }

  static List<Certificate> parse(String pem) {
    try {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new FerryException(ErrorCode.INVALID_REQUEST, "vSphere setting 'trustedCertificate' holds no certificate");
      }
      return new ArrayList<>(certificates);
    } catch (java.security.cert.CertificateException e) {
      throw new FerryException(
          ErrorCode.INVALID_REQUEST, "vSphere setting 'trustedCertificate' is not a valid PEM certificate: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager");
  }

  /** Trusts a server chain that either the JDK's roots or the configured certificates accept. */
  private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      first.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      try {
        first.checkServerTrusted(chain, authType);
      } catch (java.security.cert.CertificateException notByTheJdkRoots) {
        second.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      X509Certificate[] a = first.getAcceptedIssuers();
      X509Certificate[] b = second.getAcceptedIssuers();
      X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      return all;
    }
  }
}
