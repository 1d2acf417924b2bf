package main

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// TestKafkaMechanismsAndMTLS: each SASL mechanism kfake serves (PLAIN,
// SCRAM-SHA-256, SCRAM-SHA-512) authenticates edactl over TLS, against a
// broker that also requires a client certificate (mTLS): with the
// certificate and the right credentials `edactl topics` lists the topic;
// without the certificate, or with another mechanism's user, it fails.
func TestKafkaMechanismsAndMTLS(t *testing.T) {
	pki := newTestPKI(t)
	srv := pki.serverTLS(t)
	srv.ClientCAs = pki.CA.Pool()
	srv.ClientAuth = tls.RequireAndVerifyClientCert
	users := map[string][2]string{
		"PLAIN":         {"plain-user", "plain-Pw-1"},
		"SCRAM-SHA-256": {"scram256-user", "scram256-Pw-2"},
		"SCRAM-SHA-512": {"scram512-user", "scram512-Pw-3"},
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.TLS(srv), kfake.EnableSASL(), kfake.SeedTopics(1, "mtls.topic")}
	for mech, u := range users {
		opts = append(opts, kfake.Superuser(mech, u[0], u[1]))
	}
	kf, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kf.Close)
	var secrets []string
	for _, u := range users {
		secrets = append(secrets, u[1])
	}
	base := map[string]string{"EDACTL_BROKERS": strings.Join(kf.ListenAddrs(), ","), "EDACTL_KAFKA_CA_FILE": pki.CAFile,
		"EDACTL_KAFKA_CERT_FILE": pki.ClientCert, "EDACTL_KAFKA_KEY_FILE": pki.ClientKey}
	for mech, u := range users {
		env := withEnv(base, map[string]string{"EDACTL_KAFKA_SASL_MECHANISM": mech, "EDACTL_KAFKA_SASL_USER": u[0], "EDACTL_KAFKA_SASL_PASSWORD": u[1]})
		code, out, errOut := runEnv(t, env, "topics")
		if code != 0 || !strings.Contains(out, "mtls.topic") {
			t.Errorf("%s over mTLS: exit %d\n%s%s", mech, code, out, errOut)
		}
		checkNoSecret(t, mech, out+errOut, secrets)

		code, out, errOut = runEnv(t, withEnv(env, map[string]string{"EDACTL_KAFKA_CERT_FILE": "", "EDACTL_KAFKA_KEY_FILE": ""}), "topics")
		if code == 0 {
			t.Errorf("%s without a client certificate: exit 0\n%s", mech, out)
		}
		checkNoSecret(t, mech+" without a certificate", out+errOut, secrets)
	}
	// A user of one mechanism does not authenticate with another.
	env := withEnv(base, map[string]string{"EDACTL_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "EDACTL_KAFKA_SASL_USER": users["PLAIN"][0], "EDACTL_KAFKA_SASL_PASSWORD": users["PLAIN"][1]})
	if code, out, errOut := runEnv(t, env, "topics"); code == 0 {
		t.Errorf("a PLAIN user with SCRAM-SHA-512: exit 0\n%s", out)
	} else {
		checkNoSecret(t, "wrong mechanism", out+errOut, secrets)
	}
}
