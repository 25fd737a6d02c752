def test_home_page_renders(client, make_consultation):
    make_consultation(title="Data protection and use policy")
    response = client.get("/")
    assert response.status_code == 200
    assert "Data protection and use policy" in response.get_data(as_text=True)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
